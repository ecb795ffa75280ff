"""Demo data of the strategy area: Acme Analytics' vision, personas, competitors and OKRs.

Two quarters (the previous and the current one) of objectives with two or three key results
each and weekly check-ins drawn from a seeded ``random.Random(7)``. Skipped when the workspace
already has a vision revision, so running the demo twice changes nothing.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from producthq.accounts import service as accounts
from producthq.accounts.models import User, Workspace
from producthq.audit.service import Actor
from producthq.db import utcnow
from producthq.demo.builder import DEMO_STEPS
from producthq.strategy import okrs, service
from producthq.strategy.models import CheckinSource, KeyResultCheckin, MetricKind
from producthq.strategy.periods import quarter_of
from producthq.strategy.schemas import (
    CompetitorCreate,
    InvestmentMix,
    InvestmentShare,
    KeyResultCreate,
    MetricBinding,
    ObjectiveCreate,
    PersonaCreate,
    VisionUpdate,
)

VISION_V1 = """# Acme Analytics

Every product team should know, every morning, what their users did yesterday and why.
"""

VISION = """# Acme Analytics

**Vision:** every product team knows, every morning, what their users did yesterday, why,
and what to do next.

## Strategy

1. **Win the mid-market** with self-serve onboarding that reaches a first insight in 10 minutes.
2. **Earn enterprise trust**: SSO/SAML, audit logs and EU data residency.
3. **Be fast**: dashboards load in under a second at the 95th percentile.

## What we will not do

- Build a general BI tool.
- Sell services instead of product.

See the [quarterly plan](https://example.com/plan) for details.
"""

PERSONAS = (
    (
        "Priya, product manager",
        "Owns a product area in a 200-person SaaS company. Needs **weekly"
        " answers** on adoption without waiting for the data team.",
    ),
    (
        "Tom, growth engineer",
        "Instruments events and runs experiments. Wants a clean API, "
        "reliable SDKs and *trustworthy numbers*.",
    ),
    (
        "Helen, VP of product",
        "Reports to the board. Needs outcomes tied to bets, and a brief she can forward as is.",
    ),
)

COMPETITORS = (
    (
        "Mixpanel",
        "https://mixpanel.com",
        "Event analytics leader.",
        "- Mature funnels\n- Strong brand",
        "- Pricey at scale\n- Weak qualitative feedback",
    ),
    (
        "Amplitude",
        "https://amplitude.com",
        "Product analytics suite for larger companies.",
        "- Enterprise features\n- Experimentation",
        "- Complex to set up\n- Long sales cycles",
    ),
    (
        "PostHog",
        "https://posthog.com",
        "Open-source product OS.",
        "- Self-hosting\n- Broad toolset",
        "- Many shallow tools\n- Noisy UI",
    ),
)

KrPlan = tuple[str, str, float, float, str | None]
# (title, [(kr title, kind, baseline, target, binding metric or None)])
PREVIOUS_OKRS: tuple[tuple[str, list[KrPlan]], ...] = (
    (
        "Make onboarding self-serve",
        [
            ("Activation rate within 7 days", "percent", 22.0, 35.0, "activation_rate"),
            ("Median time to first insight (minutes)", "number", 45.0, 15.0, None),
        ],
    ),
    (
        "Earn enterprise trust",
        [
            ("Enterprise deals closed", "number", 2.0, 8.0, None),
            ("SSO adoption among enterprise accounts", "percent", 10.0, 60.0, None),
        ],
    ),
)
CURRENT_OKRS: tuple[tuple[str, list[KrPlan]], ...] = (
    (
        "Grow engaged usage",
        [
            ("Daily active users", "number", 4200.0, 6000.0, "dau"),
            ("Week-4 retention", "percent", 28.0, 36.0, "retention_week_4"),
            ("Monthly recurring revenue", "currency", 310000.0, 380000.0, "mrr"),
        ],
    ),
    (
        "Be fast",
        [
            ("p95 dashboard load time (ms)", "number", 2400.0, 900.0, None),
            ("Support tickets about slowness per week", "number", 35.0, 10.0, None),
        ],
    ),
)


def _checkins(
    session: Session,
    kr_id: int,
    workspace_id: int,
    start: date,
    end: date,
    baseline: float,
    target: float,
    reach: float,
    rng: random.Random,
) -> None:
    """Weekly check-ins moving from the baseline towards ``reach`` of the way to the target."""
    today = utcnow().date()
    weeks = max(1, (min(end, today) - start).days // 7)
    last = baseline
    for w in range(1, weeks + 1):
        day = start + timedelta(days=7 * w)
        if day > today:
            break
        share = reach * w / weeks
        noise = rng.uniform(-0.04, 0.04) * abs(target - baseline)
        last = round(baseline + share * (target - baseline) + noise, 1)
        session.add(
            KeyResultCheckin(
                workspace_id=workspace_id,
                key_result_id=kr_id,
                checkin_date=day,
                value=last,
                note="weekly check-in",
                source=CheckinSource.manual.value,
                author_label="demo",
                author_id=None,
            )
        )
    kr = okrs.get_key_result(session, workspace_id=workspace_id, key_result_id=kr_id)
    session.flush()
    session.refresh(kr)
    kr.current = last


def _okrs(session: Session, actor: Actor, owners: list[int], rng: random.Random) -> None:
    current = quarter_of(utcnow().date())
    previous = quarter_of(current.start - timedelta(days=1))
    for period, plan, reach in ((previous, PREVIOUS_OKRS, 0.9), (current, CURRENT_OKRS, 0.5)):
        objective_ids = []
        for i, (title, krs) in enumerate(plan):
            o = okrs.create_objective(
                session,
                actor=actor,
                data=ObjectiveCreate(
                    title=title,
                    period=period.label,
                    owner_id=owners[i % len(owners)],
                    confidence=rng.choice(["low", "medium", "high"]),
                    description=f"Why: part of the strategy for {period.label}.",
                ),
            )
            objective_ids.append(o.id)
            for j, (kr_title, kind, baseline, target, metric) in enumerate(krs):
                kr = okrs.create_key_result(
                    session,
                    actor=actor,
                    objective_id=o.id,
                    data=(
                        KeyResultCreate(
                            title=kr_title,
                            metric_kind=MetricKind(kind),
                            baseline=baseline,
                            target=target,
                            owner_id=owners[(i + j) % len(owners)],
                            confidence=round(rng.uniform(0.4, 0.9), 2),
                            metric_binding=MetricBinding(metric=metric) if metric else None,
                        )
                    ),
                )
                _checkins(
                    session,
                    kr.id,
                    actor.workspace_id,
                    period.start,
                    period.end,
                    baseline,
                    target,
                    reach * rng.uniform(0.6, 1.2),
                    rng,
                )
            # The roadmap's demo step, which runs after this one, links its items to these
            # objectives; the catalogue's step links real features.
        okrs.set_investment_mix(
            session,
            actor=actor,
            data=InvestmentMix(
                period=period.label,
                items=[
                    InvestmentShare(objective_id=oid, percent=pct)
                    for oid, pct in zip(objective_ids, (60.0, 40.0), strict=False)
                ],
            ),
        )


def build_strategy_demo(
    session: Session, workspace: Workspace, owner: User, progress: Callable[[str], None]
) -> None:
    """Add the strategy demo data to the workspace, unless it already has a vision."""
    if service.find_vision(session, workspace_id=workspace.id) is not None:
        return
    rng = random.Random(7)
    members = accounts.list_members(session, workspace_id=workspace.id)
    actor = Actor(owner.id, f"{owner.email} (demo)", workspace.id, "owner")
    owners = [m.user_id for m in members if m.role in ("owner", "admin", "editor")] or [owner.id]
    progress("strategy: vision, personas and competitors")
    service.save_vision(
        session, actor=actor, data=VisionUpdate(body=VISION_V1, summary="first draft")
    )
    service.save_vision(
        session, actor=actor, data=VisionUpdate(body=VISION, summary="added the strategy")
    )
    for name, description in PERSONAS:
        service.create_persona(
            session, actor=actor, data=PersonaCreate(name=name, description=description)
        )
    for name, website, description, strengths, weaknesses in COMPETITORS:
        service.create_competitor(
            session,
            actor=actor,
            data=CompetitorCreate(
                name=name,
                website=website,
                description=description,
                strengths=strengths,
                weaknesses=weaknesses,
            ),
        )
    progress("strategy: objectives, key results and check-ins")
    _okrs(session, actor, owners, rng)


DEMO_STEPS.append(("strategy", build_strategy_demo))
