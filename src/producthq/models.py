"""Import every area's models so ``Base.metadata`` is complete (Alembic, tests)."""

from producthq.accounts import models as accounts_models
from producthq.analytics import demo_data as _analytics_demo  # noqa: F401 - registers its demo step
from producthq.analytics import models as analytics_models
from producthq.audit import models as audit_models
from producthq.catalog import models as catalog_models
from producthq.db import Base
from producthq.feedback import demo_data as _feedback_demo  # noqa: F401 - registers its demo step
from producthq.feedback import models as feedback_models
from producthq.jobs import models as jobs_models
from producthq.prioritization import demo_data as _prioritization_demo  # noqa: F401 - demo step
from producthq.prioritization import models as prioritization_models
from producthq.roadmap import models as roadmap_models
from producthq.strategy import demo_data as _strategy_demo  # noqa: F401 - registers its demo step
from producthq.strategy import models as strategy_models

__all__ = [
    "Base",
    "accounts_models",
    "analytics_models",
    "audit_models",
    "catalog_models",
    "feedback_models",
    "jobs_models",
    "prioritization_models",
    "roadmap_models",
    "strategy_models",
]
