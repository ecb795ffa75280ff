"""Password and secret hashing: argon2id for passwords, SHA-256 for random tokens."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    """Hash a high-entropy random token (SHA-256 suffices: it cannot be guessed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(prefix: str) -> str:
    """Return a new random secret with a readable prefix, e.g. ``phq_…``."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


# A hash of nothing in particular, verified against when the user does not exist, so that an
# unknown e-mail takes as long to refuse as a wrong password.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
