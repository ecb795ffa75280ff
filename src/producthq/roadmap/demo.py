"""The roadmap part of the demo company: organisation, capacity, items, releases, scenarios.

Registered in ``DEMO_STEPS`` on import. Seeded and idempotent: a workspace that already has
teams is left as it is. The two scenarios are solved with a short time limit, so the step
takes a few seconds. Items serve the strategy demo's objectives (that step runs first): each
names one and is linked to it; without objectives the items keep the names in ``OBJECTIVES``.
"""

import random
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from producthq.accounts.models import User, Workspace
from producthq.audit.service import Actor
from producthq.db import utcnow, workspace_scope
from producthq.demo.builder import DEMO_STEPS
from producthq.roadmap import organisation as org
from producthq.roadmap import planning, service, sharing
from producthq.roadmap.models import Team
from producthq.roadmap.schemas import (
    AreaCreate,
    HolidayCreate,
    ItemCreate,
    PeriodCreate,
    PersonCreate,
    ReleaseCreate,
    TeamCreate,
)
from producthq.strategy import okrs
from producthq.strategy.models import LinkTarget
from producthq.strategy.schemas import LinkCreate

AREAS = {
    "Core platform": ("Platform", "Identity"),
    "Growth": ("Web app", "Mobile"),
    "Insights": ("Analytics", "Data"),
}
FIRST = [
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farah",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tove",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zane",
]  # noqa: E501
LAST = [
    "Abe",
    "Berg",
    "Costa",
    "Diallo",
    "Evans",
    "Fischer",
    "Garcia",
    "Haas",
    "Ito",
    "Jansen",
    "Kowal",
    "Lund",
    "Moreau",
    "Novak",
    "Okoro",
    "Park",
]  # noqa: E501
OBJECTIVES = ("Win mid-market", "Reduce churn", "Enterprise ready", "Self-serve insights")
ITEMS = [
    ("Single sign-on (SAML)", "Identity", 0, 0, 45, 14),
    ("SCIM provisioning", "Identity", 1, 1, 30, 12),
    ("Audit log export", "Identity", 1, 1, 18, 8),
    ("Role-based access v2", "Identity", 2, 2, 26, 16),
    ("Session management", "Identity", 3, 3, 10, 6),
    ("Multi-region hosting", "Platform", 0, 1, 40, 36),
    ("Rate limiting", "Platform", 0, 0, 12, 6),
    ("Public API v2", "Platform", 1, 2, 35, 30),
    ("Webhooks retries", "Platform", 2, 2, 14, 8),
    ("Data residency (EU)", "Platform", 2, 3, 38, 28),
    ("Zero-downtime migrations", "Platform", 3, 3, 16, 12),
    ("Onboarding checklist", "Web app", 0, 0, 22, 8),
    ("Dashboard redesign", "Web app", 0, 1, 30, 22),
    ("Bulk edit", "Web app", 1, 1, 16, 10),
    ("Custom fields", "Web app", 1, 2, 24, 18),
    ("Dark mode", "Web app", 2, 2, 8, 6),
    ("Keyboard shortcuts", "Web app", 2, 2, 7, 4),
    ("In-app announcements", "Web app", 3, 3, 12, 8),
    ("Template gallery", "Web app", 3, 3, 15, 12),
    ("Offline mode", "Mobile", 0, 1, 28, 24),
    ("Push notifications", "Mobile", 0, 0, 18, 8),
    ("Mobile dashboards", "Mobile", 1, 1, 20, 14),
    ("Biometric login", "Mobile", 1, 1, 12, 6),
    ("Tablet layout", "Mobile", 2, 2, 10, 10),
    ("Mobile SSO", "Mobile", 2, 3, 14, 10),
    ("Widgets", "Mobile", 3, 3, 9, 8),
    ("Funnels v2", "Analytics", 0, 0, 26, 12),
    ("Retention cohorts", "Analytics", 0, 1, 24, 16),
    ("Scheduled reports", "Analytics", 1, 1, 15, 8),
    ("Experiment results page", "Analytics", 1, 2, 22, 14),
    ("Anomaly alerts", "Analytics", 2, 2, 18, 12),
    ("Board pack export", "Analytics", 3, 3, 20, 10),
    ("Warehouse sync (Snowflake)", "Data", 0, 1, 34, 26),
    ("Event schema registry", "Data", 0, 0, 14, 10),
    ("BigQuery connector", "Data", 1, 2, 28, 20),
    ("Data retention policies", "Data", 2, 2, 12, 8),
    ("Reverse ETL", "Data", 2, 3, 25, 22),
    ("Usage-based billing data", "Data", 3, 3, 30, 16),
    ("Customer health score", "Analytics", 3, 3, 22, 12),
    ("AI summaries of feedback", "Web app", 3, 3, 33, 16),
]
DEPENDENCIES = [
    ("SCIM provisioning", "Single sign-on (SAML)"),
    ("Mobile SSO", "Single sign-on (SAML)"),
    ("Data residency (EU)", "Multi-region hosting"),
    ("Webhooks retries", "Public API v2"),
    ("Experiment results page", "Retention cohorts"),
    ("BigQuery connector", "Warehouse sync (Snowflake)"),
    ("Reverse ETL", "BigQuery connector"),
    ("Board pack export", "Scheduled reports"),
    ("Mobile dashboards", "Dashboard redesign"),
]

# Efforts above are in engineer-months; a person-week is a quarter of that, so the optimiser
# meets real pressure: the baseline cannot fit everything and losing capacity drops items.
EFFORT_SCALE = 2.5
# Items another team could also take on, at this multiple of the owning team's effort.
ALTERNATES = {
    "Mobile SSO": ("Identity", 1.2),
    "Custom fields": ("Platform", 1.3),
    "Scheduled reports": ("Data", 1.2),
    "Webhooks retries": ("Identity", 1.5),
    "Template gallery": ("Mobile", 1.4),
}


def _quarters(year: int) -> list[PeriodCreate]:
    bounds = [(1, 3, 31), (4, 6, 30), (7, 9, 30), (10, 12, 31)]
    return [
        PeriodCreate(
            name=f"{year}-Q{i + 1}", kind="quarter", start=date(year, m0, 1), end=date(year, m1, d)
        )
        for i, (m0, m1, d) in enumerate(bounds)
    ]


def _people(s: Session, actor: Actor, teams: dict[str, Team], rng: random.Random) -> None:
    names = iter(f"{f} {rng.choice(LAST)}" for f in rng.sample(FIRST, len(FIRST)) * 2)
    org.create_person(s, actor=actor, data=PersonCreate(name="Maya Okafor", role="cpo"))
    for _ in range(2):
        org.create_person(s, actor=actor, data=PersonCreate(name=next(names), role="director"))
    for name, team in teams.items():
        roles = ["pm", "designer", "engineer", "engineer", "engineer", "engineer"]
        if name in ("Analytics", "Data"):
            roles[1] = "analyst"
        for role in roles:
            fte = 1.0 if role != "designer" else 0.5
            if role == "engineer" and rng.random() < 0.2:
                fte = 0.8
            org.create_person(
                s,
                actor=actor,
                data=PersonCreate(
                    name=next(names), role=role, team_id=team.id, fte=fte, skills=[role]
                ),
            )


def _effort(teams: dict[str, Team], title: str, team: str, effort: float) -> dict[str, float]:
    out = {teams[team].key: effort * EFFORT_SCALE}
    if title in ALTERNATES:
        other, factor = ALTERNATES[title]
        out[teams[other].key] = round(effort * EFFORT_SCALE * factor, 1)
    return out


def _items(s: Session, actor: Actor, teams: dict[str, Team], rng: random.Random) -> None:
    periods = org.list_periods(s, workspace_id=actor.workspace_id)
    releases = service.list_releases(s, workspace_id=actor.workspace_id)
    # The strategy step runs first: serve its objectives (by title, and linked), so the
    # roadmap and the OKR pages name the same goals. Alone, the roadmap keeps its own names.
    objectives = okrs.list_objectives(s, workspace_id=actor.workspace_id)
    names = tuple(o.title for o in objectives) or OBJECTIVES
    ids = {}
    for i, (title, team, q0, q1, value, effort) in enumerate(ITEMS):
        column = ("now", "next", "later", "later")[q0]
        status = "in_progress" if q0 == 0 and i % 3 else "not_started"
        if q0 == 0 and i % 5 == 0:
            status = "at_risk"
        ids[title] = service.create_item(
            s,
            actor=actor,
            data=ItemCreate(
                title=title,
                team_id=teams[team].id,
                objective=names[i % len(names)],
                owner=rng.choice(FIRST),
                status=status,
                progress=rng.choice((20, 40, 60)) if status != "not_started" else 0,
                column=column,
                start_period_id=periods[q0].id,
                end_period_id=periods[q1].id,
                release_id=releases[q1].id,
                value=value,
                effort=_effort(teams, title, team, effort),
            ),
        ).id
        if objectives:
            okrs.link_objective(
                s,
                actor=actor,
                objective_id=objectives[i % len(objectives)].id,
                data=LinkCreate(
                    target_type=LinkTarget.roadmap_item,
                    target_id=ids[title],
                    title=title,
                    effort=effort * EFFORT_SCALE,
                ),
            )
    for item, prerequisite in DEPENDENCIES:
        service.add_dependency(s, actor=actor, item_id=ids[item], depends_on_id=ids[prerequisite])


def build_roadmap_demo(
    session: Session, workspace: Workspace, owner: User, progress: Callable[[str], None]
) -> None:
    """Seed the demo roadmap once: 6 teams, ~40 people, 4 quarters, 40 items, 2 scenarios."""
    with workspace_scope(session, workspace.id):
        has_teams = session.scalar(
            select(func.count()).select_from(Team).where(Team.workspace_id == workspace.id)
        )
        if has_teams:
            return
        rng = random.Random(6)  # noqa: S311 - demo data, not security
        actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, "owner")
        teams: dict[str, Team] = {}
        for area_name, team_names in AREAS.items():
            area = org.create_area(session, actor=actor, data=AreaCreate(name=area_name))
            for name in team_names:
                teams[name] = org.create_team(
                    session, actor=actor, data=TeamCreate(name=name, area_id=area.id)
                )
        _people(session, actor, teams, rng)
        year = utcnow().year
        for i, period in enumerate(_quarters(year)):
            org.create_period(session, actor=actor, data=period)
            service.create_release(
                session,
                actor=actor,
                data=ReleaseCreate(name=f"Release {year}.{i + 1}", release_date=period.end),
            )
        org.create_holiday(
            session,
            actor=actor,
            data=HolidayCreate(
                team_id=teams["Mobile"].id,
                start=date(year, 8, 4),
                end=date(year, 8, 15),
                note="summer shutdown",
            ),
        )
        _items(session, actor, teams, rng)
        sharing.create_snapshot(session, actor=actor, name="Start of year baseline")
        progress("demo data: roadmap scenarios")
        base = planning.build_scenario(session, workspace_id=workspace.id, name="Baseline")
        lean = {**base, "name": "Platform loses two engineers"}
        lean["teams"] = [
            {**t, "capacity": [round(c * 2 / 3, 2) for c in t["capacity"]]}
            if t["id"] == teams["Platform"].key
            else t
            for t in base["teams"]
        ]
        for doc in (base, lean):
            row = planning.import_scenario(session, actor=actor, doc=doc, source="demo")
            planning.solve_scenario(session, row=row, time_limit=2.0)


if not any(name == "roadmap" for name, _ in DEMO_STEPS):
    DEMO_STEPS.append(("roadmap", build_roadmap_demo))
