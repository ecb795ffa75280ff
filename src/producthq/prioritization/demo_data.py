"""Demo data of the catalogue and prioritisation: Acme Analytics' products and ~150 features.

Six components of two products hold 150 features. The 27 features behind the demo feedback's
themes (slow dashboards, SSO, CSV export, mobile crashes, pricing, Slack, one-off requests) get
their feedback linked as highlights, so RICE reach and the opportunity framework's demand and
momentum come from evidence; every feature gets RICE impact, confidence and effort (a third as
ranges, the same effort for opportunity), ICE, WSJF and value/effort inputs and the inputs of the
workspace framework ``growth`` (a user-defined weighted formula); the themed ones get Kano
answers from ten of the demo's people and are linked to the strategy demo's objectives.
Seeded (``random.Random(5)``); skipped when the workspace already has features. Runs the
feedback and strategy steps first (both skip work already done) because it links their rows.
"""

import random
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from producthq.accounts.models import User, Workspace
from producthq.audit.service import Actor
from producthq.catalog.models import Component, Feature, Product
from producthq.db import utcnow
from producthq.demo.builder import DEMO_STEPS
from producthq.feedback.demo_data import add_feedback_demo
from producthq.feedback.models import FeedbackItem, Highlight, Person
from producthq.prioritization.models import FeatureEstimate, KanoResponse
from producthq.strategy import okrs
from producthq.strategy.demo_data import build_strategy_demo
from producthq.strategy.models import LinkTarget
from producthq.strategy.schemas import LinkCreate

N_FEATURES = 150
PRODUCTS = {
    "Acme Analytics": ("Dashboards", "Reports & exports", "Mobile app", "Integrations"),
    "Acme Platform": ("Admin & security", "Billing"),
}
# Themed features: (title, component, feedback pattern, share of the matching feedback, tags)
THEMED: tuple[tuple[str, str, str, float, tuple[str, ...]], ...] = (
    ("Dashboard query cache", "Dashboards", r"dashboard|render|slow", 0.5, ("performance",)),
    ("Faster filtering by dimension", "Dashboards", r"filter by", 0.8, ("performance",)),
    ("Pre-computed morning dashboards", "Dashboards", r"every morning", 0.7, ("performance",)),
    ("Chart rendering on the GPU", "Dashboards", r"render", 0.4, ("performance",)),
    ("SAML single sign-on", "Admin & security", r"SAML|single sign-on|SSO", 0.7, ("sso",)),
    ("SCIM user provisioning", "Admin & security", r"SCIM|provisioning", 0.9, ("sso",)),
    ("Okta and Azure AD login", "Admin & security", r"Okta|Azure AD", 0.6, ("sso",)),
    ("Google Workspace login", "Admin & security", r"Google Workspace", 0.8, ("sso",)),
    ("Seat management for IT", "Admin & security", r"passwords for", 0.6, ("sso", "admin")),
    ("CSV export of every report", "Reports & exports", r"export .* as CSV", 0.8, ("export",)),
    ("Unlimited CSV rows", "Reports & exports", r"cuts off", 0.9, ("export",)),
    ("Scheduled exports to finance", "Reports & exports", r"scheduled", 0.8, ("export",)),
    ("Export to Google Sheets", "Reports & exports", r"spreadsheet", 0.7, ("export",)),
    ("Crash-free iOS app", "Mobile app", r"iOS app", 0.7, ("mobile", "bug")),
    ("Crash-free Android app", "Mobile app", r"Android app", 0.7, ("mobile", "bug")),
    ("Rotation-safe chart views", "Mobile app", r"rotate", 0.9, ("mobile", "bug")),
    ("Stable mobile login", "Mobile app", r"closes itself on login", 0.9, ("mobile", "bug")),
    ("Clear seat definitions", "Billing", r"counts as a seat", 0.8, ("pricing",)),
    ("Seat usage on invoices", "Billing", r"invoice", 0.8, ("pricing",)),
    ("Plan comparison page", "Billing", r"pricing page", 0.8, ("pricing",)),
    ("Overage alerts", "Billing", r"overage", 0.9, ("pricing",)),
    ("Slack report digests", "Integrations", r"posted to our Slack", 0.8, ("slack",)),
    ("Slack metric alerts", "Integrations", r"alerts when a metric", 0.8, ("slack", "alerting")),
    ("Slack annotation notices", "Integrations", r"annotations", 0.6, ("slack",)),
    ("German interface", "Dashboards", r"German", 0.9, ("i18n",)),
    ("Release-note annotations", "Dashboards", r"annotate charts", 0.9, ("annotations",)),
    ("Multiple time zones", "Admin & security", r"time zones", 0.9, ("i18n",)),
)
VERBS = ("Saved", "Shared", "Bulk", "Smart", "Custom", "Scheduled", "Embedded", "Guided")
NOUNS = (
    "segments",
    "cohort builder",
    "funnel templates",
    "goal tracking",
    "dashboard folders",
    "metric definitions",
    "SQL editor",
    "chart themes",
    "audit trail",
    "API keys",
    "data retention rules",
    "sampling controls",
    "email reports",
    "webhooks",
    "workspace templates",
    "role presets",
)
STATUS_WEIGHTS = {
    "idea": 40,
    "under_consideration": 25,
    "planned": 15,
    "in_progress": 8,
    "shipped": 8,
    "wont_do": 4,
}
OWNERS = ("Maya Okafor", "Leo Martin", "Ana Silva", None)


def _estimates(rng: random.Random, ws: int, fid: int, themed: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(framework: str, name: str, low: float, high: float, conf: float = 0.9) -> None:
        rows.append(
            {
                "workspace_id": ws,
                "feature_id": fid,
                "framework": framework,
                "input": name,
                "low": low,
                "high": high,
                "confidence": conf,
                "note": "demo",
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )

    impact = rng.choice((0.25, 0.5, 1.0, 2.0, 3.0))
    add("rice", "impact", impact, impact)
    confidence = rng.choice((0.5, 0.8, 1.0))
    add("rice", "confidence", confidence, confidence)
    effort = rng.choice((0.5, 1.0, 2.0, 3.0, 5.0, 8.0))
    if rng.random() < 0.35:
        add("rice", "effort", effort * 0.6, effort * 1.8, 0.8)
    else:
        add("rice", "effort", effort, effort)
    rice_effort = rows[-1]
    add("opportunity", "effort", rice_effort["low"], rice_effort["high"], rice_effort["confidence"])
    # A stream of its own, so the inputs above stay those of earlier demos.
    own = random.Random(fid)  # noqa: S311 - demo data, not security
    for name in ("value", "fit"):
        v = float(own.randint(1, 10))
        add("growth", name, v, v)
    add("growth", "effort", effort, effort)
    if not themed:
        reach = float(rng.choice((2, 5, 10, 20)))
        add("rice", "reach", reach, reach)
    for name in ("impact", "confidence", "ease"):
        v = float(rng.randint(2, 9))
        add("ice", name, v, v)
    for name in ("value", "effort"):
        v = float(rng.randint(1, 10))
        add("value_effort", name, v, v)
    for name in ("business_value", "time_criticality", "risk_reduction", "job_size"):
        v = float(rng.choice((1, 2, 3, 5, 8, 13)))
        add("wsjf", name, v, v)
    return rows


def _products(session: Session, ws: int) -> dict[str, tuple[int, int]]:
    placement: dict[str, tuple[int, int]] = {}
    for product_name, comps in PRODUCTS.items():
        product = Product(workspace_id=ws, name=product_name, description="")
        session.add(product)
        session.flush()
        for name in comps:
            comp = Component(workspace_id=ws, product_id=product.id, name=name)
            session.add(comp)
            session.flush()
            placement[name] = (product.id, comp.id)
    return placement


def _highlights(
    rng: random.Random, ws: int, items: list[tuple[int, str]], themed: dict[int, str]
) -> tuple[list[dict[str, Any]], set[int]]:
    rows: list[dict[str, Any]] = []
    linked: set[int] = set()
    patterns = [
        (fid, re.compile(p, re.IGNORECASE), THEMED[i][3])
        for i, (fid, p) in enumerate(themed.items())
    ]
    for item_id, text in items:
        for fid, pattern, share in patterns:
            m = pattern.search(text)
            if m is None or rng.random() > share:
                continue
            rows.append(
                {
                    "workspace_id": ws,
                    "feedback_item_id": item_id,
                    "feature_id": fid,
                    "start_offset": 0,
                    "end_offset": len(text),
                    "quote": text,
                    "importance": rng.choice(("nice", "important", "important", "critical")),
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
            linked.add(item_id)
    return rows, linked


def build_catalog_demo(
    session: Session, workspace: Workspace, owner: User, progress: Callable[[str], None]
) -> None:
    """Add the demo products, features, estimates and evidence links, unless features exist."""
    ws = workspace.id
    add_feedback_demo(session, workspace, owner, progress)
    build_strategy_demo(session, workspace, owner, progress)
    has = session.scalar(
        select(func.count()).select_from(Feature).where(Feature.workspace_id == ws)
    )
    if has:
        return
    progress(f"catalogue: {N_FEATURES} features, estimates and links to feedback")
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    placement = _products(session, ws)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    themed: dict[int, str] = {}
    estimates: list[dict[str, Any]] = []
    names: set[str] = set()
    for i in range(N_FEATURES):
        if i < len(THEMED):
            title, comp, pattern, _share, tags = THEMED[i]
        else:
            title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)}"
            while title in names:
                title = f"{rng.choice(VERBS)} {rng.choice(NOUNS)} {len(names)}"
            comp, pattern, tags = rng.choice(list(placement)), "", ()
        names.add(title)
        product_id, component_id = placement[comp]
        feature = Feature(
            workspace_id=ws,
            title=title,
            status=rng.choices(statuses, weights=weights)[0],
            description=f"**{title}** for Acme Analytics customers.\n\nProposed by the demo.",
            product_id=product_id,
            component_id=component_id,
            owner=rng.choice(OWNERS),
            tags=list(tags),
            external_id=f"DEMO-{i + 1}",
        )
        session.add(feature)
        session.flush()
        if pattern:
            themed[feature.id] = pattern
        estimates += _estimates(rng, ws, feature.id, bool(pattern))
    session.execute(insert(FeatureEstimate), estimates)
    items = list(
        session.execute(
            select(FeedbackItem.id, FeedbackItem.text).where(FeedbackItem.workspace_id == ws)
        )
    )
    highlights, linked = _highlights(rng, ws, [(a, b) for a, b in items], themed)
    for start in range(0, len(highlights), 1000):
        session.execute(insert(Highlight), highlights[start : start + 1000])
    for start in range(0, len(linked), 500):
        chunk = sorted(linked)[start : start + 500]
        for item in session.scalars(select(FeedbackItem).where(FeedbackItem.id.in_(chunk))):
            if item.status in ("new", "triaged"):
                item.status = "linked"
    session.flush()
    _link_objectives(session, workspace, owner, list(themed))
    _user_framework(session, workspace, owner)
    _kano_answers(session, random.Random(11), ws, sorted(themed))  # noqa: S311 - demo data


# Kano answer profiles of the demo: (functional, dysfunctional) pairs to draw from.
KANO_PROFILES: tuple[tuple[tuple[str, str], ...], ...] = (
    (("expect", "dislike"), ("neutral", "dislike"), ("like", "dislike"), ("neutral", "neutral")),
    (("like", "dislike"), ("like", "dislike"), ("like", "tolerate"), ("expect", "dislike")),
    (("like", "neutral"), ("like", "tolerate"), ("neutral", "neutral"), ("like", "dislike")),
)


def _user_framework(session: Session, workspace: Workspace, owner: User) -> None:
    from producthq.prioritization import frameworks
    from producthq.prioritization.schemas import ScoringFrameworkCreate

    actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, "owner")
    data = ScoringFrameworkCreate.model_validate(
        {
            "slug": "growth",
            "title": "Growth bets (value and fit per effort)",
            "criteria": [
                {"name": "value", "weight": 3, "description": "value to customers, 1-10"},
                {"name": "fit", "weight": 2, "description": "fit with the strategy, 1-10"},
                {"name": "effort", "weight": 1, "kind": "cost", "description": "person-months"},
            ],
            "formula": "(w_value * value + w_fit * fit) / (w_value + w_fit) / effort",
        }
    )
    frameworks.create_user_framework(session, actor=actor, data=data)


def _kano_answers(session: Session, rng: random.Random, ws: int, feature_ids: list[int]) -> None:
    people = list(
        session.scalars(select(Person.id).where(Person.workspace_id == ws).order_by(Person.id))
    )[:10]
    now = utcnow()
    rows = []
    for fid in feature_ids:
        profile = KANO_PROFILES[fid % len(KANO_PROFILES)]
        for i, person in enumerate(people or [None] * 10):
            functional, dysfunctional = rng.choice(profile)
            rows.append(
                {
                    "workspace_id": ws,
                    "feature_id": fid,
                    "person_id": person,
                    "respondent": "" if person else f"respondent {i + 1}",
                    "functional": functional,
                    "dysfunctional": dysfunctional,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if rows:
        session.execute(insert(KanoResponse), rows)
        session.flush()


def _link_objectives(session: Session, workspace: Workspace, owner: User, ids: list[int]) -> None:
    actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, "owner")
    objectives = okrs.list_objectives(session, workspace_id=workspace.id)
    if not objectives:
        return
    features = {f.id: f for f in session.scalars(select(Feature).where(Feature.id.in_(ids)))}
    for n, fid in enumerate(ids):
        objective = objectives[n % len(objectives)]
        okrs.link_objective(
            session,
            actor=actor,
            objective_id=objective.id,
            data=LinkCreate(
                target_type=LinkTarget.feature,
                target_id=fid,
                title=features[fid].title,
                effort=float(1 + n % 8),
            ),
        )


DEMO_STEPS.append(("catalogue and prioritisation", build_catalog_demo))
