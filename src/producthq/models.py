"""Import every area's models so ``Base.metadata`` is complete (Alembic, tests)."""

from producthq.accounts import models as accounts_models
from producthq.audit import models as audit_models
from producthq.db import Base
from producthq.jobs import models as jobs_models

__all__ = ["Base", "accounts_models", "audit_models", "jobs_models"]
