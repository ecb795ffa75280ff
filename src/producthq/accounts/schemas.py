"""Input and output shapes of the accounts area."""

from datetime import datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from producthq.accounts.roles import Role


def check_email(value: str) -> str:
    """Return the normalised address, or raise ValueError saying what is wrong with it."""
    # Self-hosted teams use internal domains (.local, .internal, .test): check the syntax only.
    try:
        info = validate_email(
            value, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return info.normalized.lower()


EmailStr = Annotated[str, StringConstraints(max_length=320), AfterValidator(check_email)]
Slug = Annotated[
    str,
    StringConstraints(min_length=2, max_length=64, pattern=r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"),
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]


class Strict(BaseModel):
    """Base of every input: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class UserCreate(Strict):
    email: EmailStr
    name: Name
    password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str


class WorkspaceCreate(Strict):
    slug: Slug
    name: Name


class WorkspaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str
    role: Role | None = None


class MemberRead(BaseModel):
    id: int
    user_id: int
    email: str
    name: str
    role: Role
    created_at: datetime


class MemberUpdate(Strict):
    role: Role


class InvitationCreate(Strict):
    email: EmailStr
    role: Role = Role.viewer


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    role: Role
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationCreated(InvitationRead):
    accept_url: str = Field(description="One-time link; shown once.")
    emailed: bool


class TokenCreate(Strict):
    name: Name
    role: Role = Role.viewer


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret; shown once and never again.")


class LoginInput(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=256)
