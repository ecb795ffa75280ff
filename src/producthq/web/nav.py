"""The navigation: every area of DESIGN.md, in the loop's order."""

from dataclasses import dataclass
from typing import Any

from fastapi import Request


@dataclass(frozen=True)
class Area:
    """One area of the product in the navigation."""

    slug: str
    title: str
    summary: str
    issue: int | None = None


AREAS: tuple[Area, ...] = (
    Area("strategy", "Strategy", "Vision, objectives and key results bound to metrics.", 5),
    Area("feedback", "Feedback", "Every customer voice, its themes, sentiment and revenue.", 4),
    Area(
        "features",
        "Features & prioritisation",
        "The feature catalogue, scored with RICE, WSJF, Kano or your own formula.",
        5,
    ),
    Area("roadmap", "Roadmap", "Now / next / later, timelines, teams and the optimiser.", 6),
    Area("analytics", "Analytics", "Active users, retention, funnels, lifecycle and revenue.", 7),
    Area("experiments", "Experiments", "A/B tests bound to metrics and roadmap items.", None),
    Area("surveys", "Surveys", "NPS, product-market fit and CSAT, and their analysis.", None),
    Area("reports", "Reports", "The weekly product brief and board exports.", None),
    Area("portal", "Portal", "The customer-facing ideas board and changelog.", None),
)
AREA_BY_SLUG = {a.slug: a for a in AREAS}


def nav_context(request: Request) -> dict[str, Any]:
    """Return what the layout needs to draw the navigation for this request."""
    workspace = getattr(request.state, "workspace", None)
    role = getattr(request.state, "role", None)
    return {
        "areas": AREAS,
        "workspace": workspace,
        "role": role,
        "path": request.url.path,
        "user_email": request.session.get("user_email"),
    }
