"""The ProductHQ error family.

Domain code and services raise these; they know nothing of HTTP. ``web/errors.py`` maps each
class to a status code and the CLI prints ``str(error)`` on one line.

::

    ProductHQError
    ├── NotFoundError            a thing that does not exist (or is not yours to see)
    ├── PermissionDeniedError    signed in, but the role is too low
    ├── AuthenticationError      not signed in, bad password, bad or revoked token
    ├── ConflictError            would break a uniqueness or state rule
    ├── InvalidInputError        bad input; carries a list of problems with locations
    ├── RateLimitedError         too many attempts
    ├── EngineError              database or warehouse unreachable
    └── MissingDependencyError   an optional package is not installed
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and a machine-readable code."""

    loc: Location
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem in the JSON error shape's ``details`` form."""
        return {"loc": list(self.loc), "message": self.message, "code": self.code}


class ProductHQError(Exception):
    """Base of every error ProductHQ raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, details: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[Problem] = list(details)


class NotFoundError(ProductHQError):
    """The thing asked for does not exist, or belongs to another workspace."""

    code = "not_found"


class PermissionDeniedError(ProductHQError):
    """The caller is known but their role does not allow this."""

    code = "permission_denied"


class AuthenticationError(ProductHQError):
    """The caller is not signed in or their credentials are wrong."""

    code = "not_authenticated"


class ConflictError(ProductHQError):
    """The change would break a uniqueness or state rule."""

    code = "conflict"


class InvalidInputError(ProductHQError):
    """The input is wrong; ``details`` lists every problem with its location."""

    code = "invalid_input"

    def __init__(self, message: str, *, details: Sequence[Problem] = ()) -> None:
        super().__init__(message, details=details)

    @classmethod
    def single(cls, loc: Location, message: str, code: str = "invalid") -> InvalidInputError:
        """Build an error carrying one problem whose message is also the summary."""
        return cls(message, details=[Problem(loc, message, code)])


class RateLimitedError(ProductHQError):
    """Too many attempts in a short time."""

    code = "rate_limited"


class EngineError(ProductHQError):
    """A database or warehouse could not be reached or refused the query."""

    code = "engine_error"


class MissingDependencyError(ProductHQError):
    """An optional package is needed; the message says what to install."""

    code = "missing_dependency"

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the package {package!r}; install it with "
            f"pip install 'producthq[{extra}]'"
        )


@dataclass
class ProblemCollector:
    """Gather problems while validating a whole input, then raise them together."""

    problems: list[Problem] = field(default_factory=list)
    limit: int = 1000

    def add(self, loc: Location, message: str, code: str = "invalid") -> None:
        """Record one problem (past ``limit`` they are counted but not kept)."""
        if len(self.problems) < self.limit:
            self.problems.append(Problem(loc, message, code))

    def raise_if_any(self, summary: str) -> None:
        """Raise ``InvalidInputError`` with every problem gathered, if there is one."""
        if self.problems:
            first = self.problems[0]
            where = ", ".join(str(p) for p in first.loc)
            raise InvalidInputError(
                f"{summary}: {len(self.problems)} problem(s); first at {where}: {first.message}",
                details=self.problems,
            )
