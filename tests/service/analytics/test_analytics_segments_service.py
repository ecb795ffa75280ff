"""Saved segments and property breakdowns through the service, on the embedded store.

The application database (segments, saved insights) runs on SQLite and PostgreSQL; the events
live in the DuckDB store (the same segment expressions run on PostgreSQL in
``tests/unit/analytics/test_analytics_segments.py``). Weeks start on Monday 2026-10-05.
"""

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.analytics import segment_service, service
from producthq.analytics.capture import parse_message
from producthq.analytics.loader import load_pending
from producthq.analytics.query import InsightQuery
from producthq.analytics.segments import parse_definition
from producthq.audit.service import Actor
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.settings import Settings

RECEIVED = datetime(2026, 11, 1, 12, 0)  # noqa: DTZ001 - naive UTC
RANGE = {"start": date(2026, 10, 5), "end": date(2026, 10, 13)}

MESSAGES: list[dict[str, Any]] = [
    # u1 (acme): signs up Monday, creates a project 23 h later, subscribes, returns 10-12.
    {"type": "track", "userId": "u1", "event": "signup", "timestamp": "2026-10-05T09:00:00Z",
     "context": {"groupId": "acme"}},
    {"type": "track", "userId": "u1", "event": "project_created",
     "timestamp": "2026-10-06T08:00:00Z"},
    {"type": "track", "userId": "u1", "event": "subscription_started", "groupId": "acme",
     "timestamp": "2026-10-06T09:00:00Z", "properties": {"mrr": 100}},
    {"type": "track", "userId": "u1", "event": "pageview", "timestamp": "2026-10-12T10:00:00Z"},
    # u2 (globex): signs up Monday, creates a project 3 days later, subscribes for 40.
    {"type": "track", "userId": "u2", "event": "signup", "timestamp": "2026-10-05T09:00:00Z"},
    {"type": "track", "userId": "u2", "event": "subscription_started", "groupId": "globex",
     "timestamp": "2026-10-06T09:00:00Z", "properties": {"mrr": 40}},
    {"type": "track", "userId": "u2", "event": "project_created",
     "timestamp": "2026-10-08T10:00:00Z"},
    # u3 (acme through the event): signs up Tuesday, comes back 10-13, never creates a project.
    {"type": "track", "userId": "u3", "event": "signup", "groupId": "acme",
     "timestamp": "2026-10-06T12:00:00Z"},
    {"type": "track", "userId": "u3", "event": "pageview", "timestamp": "2026-10-13T12:00:00Z"},
    # u4: signs up 10-12 and does nothing else; never identified.
    {"type": "track", "userId": "u4", "event": "signup", "timestamp": "2026-10-12T12:00:00Z"},
    # Identify: u1 and u3 are on pro (the markup must come back escaped on pages), u2 on free.
    {"type": "identify", "userId": "u1", "traits": {"plan": "pro"},
     "timestamp": "2026-10-01T00:00:00Z"},
    {"type": "identify", "userId": "u2", "traits": {"plan": "free"},
     "timestamp": "2026-10-01T00:00:00Z"},
    {"type": "identify", "userId": "u3", "traits": {"plan": "pro"},
     "timestamp": "2026-10-01T00:00:00Z"},
    # Group: acme is SaaS (u1), globex retail (u2).
    {"type": "group", "userId": "u1", "groupId": "acme", "traits": {"industry": "saas"},
     "timestamp": "2026-10-01T00:00:00Z"},
    {"type": "group", "userId": "u2", "groupId": "globex", "traits": {"industry": "retail"},
     "timestamp": "2026-10-01T00:00:00Z"},
]  # fmt: skip


def load(settings: Settings, workspace_id: int) -> None:
    """Capture the messages for a workspace and load them into the store."""
    records = [
        parse_message({**m, "messageId": f"w{workspace_id}-{i}"}, kind=None, received_at=RECEIVED)
        for i, m in enumerate(MESSAGES)
    ]
    assert all(
        service.capture(settings, workspace_id=workspace_id, records=records, received_at=RECEIVED)
    )
    load_pending(settings)


def seg(*conditions: dict[str, Any], match: str = "all") -> Any:
    return parse_definition({"match": match, "conditions": list(conditions)})


PRO = {"type": "user", "key": "plan", "value": "pro"}
NO_PROJECT = {"type": "behaviour", "event": "project_created", "op": "not_done"}


@pytest.fixture
def store(tmp_path: Any) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    load(settings, 1)
    return settings


def dau(store: Settings, **kw: Any) -> list[int]:
    insight = service.run_insight(
        store, workspace_id=1, query=InsightQuery(kind="dau", **RANGE), **kw
    )
    return [r["dau"] for r in insight.rows]


def test_dau_with_and_without_a_segment(store: Settings) -> None:
    # Days 10-05 … 10-13. Everyone: 10-05 u1 u2 · 10-06 u1 u2 u3 · 10-08 u2 · 10-12 u1 u4 ·
    # 10-13 u3.
    assert dau(store) == [2, 3, 0, 1, 0, 0, 0, 2, 1]
    # Pro users u1, u3: 10-05 u1 · 10-06 u1 u3 · 10-12 u1 · 10-13 u3.
    assert dau(store, segment=seg(PRO)) == [1, 2, 0, 0, 0, 0, 0, 1, 1]
    # In a SaaS account: acme holds u1 (group call) and u3 (its signup carries acme) → same.
    saas = {"type": "account", "key": "industry", "value": "saas"}
    assert dau(store, segment=seg(saas)) == [1, 2, 0, 0, 0, 0, 0, 1, 1]
    # Pro OR never created a project: u1, u3, u4.
    assert dau(store, segment=seg(PRO, NO_PROJECT, match="any")) == [1, 2, 0, 0, 0, 0, 0, 2, 1]


def test_dau_broken_down_by_a_user_property(store: Settings) -> None:
    insight = service.run_insight(
        store, workspace_id=1, query=InsightQuery(kind="dau", breakdown="user.plan", **RANGE)
    )
    # pro has 2 users, free 1; u4 has no plan (never identified): the "(none)" series.
    assert insight.breakdown == "user.plan"
    assert insight.breakdown_values == ["pro", "free", "(none)"]
    values = ("pro", "free", "(none)")
    series = {v: [r["dau"] for r in insight.rows if r["breakdown"] == v] for v in values}
    assert series["pro"] == [1, 2, 0, 0, 0, 0, 0, 1, 1]
    assert series["free"] == [1, 1, 0, 1, 0, 0, 0, 0, 0]  # u2: 10-05, 10-06, 10-08
    assert series["(none)"] == [0, 0, 0, 0, 0, 0, 0, 1, 0]  # u4: 10-12


def test_funnel_broken_down_by_a_user_property(store: Settings) -> None:
    query = InsightQuery(
        kind="funnel", steps="signup,project_created", window="1d", breakdown="user.plan"
    )
    insight = service.run_insight(store, workspace_id=1, query=query)
    users = {(r["breakdown"], r["step"]): r["users"] for r in insight.rows}
    # pro: u1 converts (23 h), u3 never does. free: u2 creates a project 3 days later.
    # (none): u4 signs up and does nothing else.
    assert users == {
        ("pro", 1): 2,
        ("pro", 2): 1,
        ("free", 1): 1,
        ("free", 2): 0,
        ("(none)", 1): 1,
        ("(none)", 2): 0,
    }


def test_retention_with_a_behavioural_segment(store: Settings) -> None:
    query = InsightQuery(
        kind="retention", periods=1, start=date(2026, 10, 5), end=date(2026, 10, 18)
    )
    insight = service.run_insight(store, workspace_id=1, query=query, segment=seg(NO_PROJECT))
    cells = {
        (str(r["cohort_week"]), r["period"]): (r["cohort_size"], r["retained"])
        for r in insight.rows
    }
    # Never created a project: u3 (cohort 10-05, back on 10-13 = week 1) and u4 (cohort 10-12,
    # whose week 1 starts 10-19, after the range: left out).
    assert cells == {
        ("2026-10-05", 0): (1, 1),
        ("2026-10-05", 1): (1, 1),
        ("2026-10-12", 0): (1, 1),
    }


def test_retention_broken_down_by_an_account_property(store: Settings) -> None:
    query = InsightQuery(
        kind="retention", periods=1, breakdown="account.industry", start=date(2026, 10, 5),
        end=date(2026, 10, 18),
    )  # fmt: skip
    insight = service.run_insight(store, workspace_id=1, query=query)
    cells = {
        (r["breakdown"], str(r["cohort_week"]), r["period"]): r["retained"] for r in insight.rows
    }
    # saas (acme: u1, u3) cohort 10-05: both back in week 1 (u1 10-12, u3 10-13).
    assert cells[("saas", "2026-10-05", 0)] == 2 and cells[("saas", "2026-10-05", 1)] == 2
    # retail (globex: u2) cohort 10-05: u2's last event is 10-08, so not back in week 1.
    assert cells[("retail", "2026-10-05", 0)] == 1 and cells[("retail", "2026-10-05", 1)] == 0
    # (none): u4, in no account, signs up 10-12 (its own cohort).
    assert cells[("(none)", "2026-10-12", 0)] == 1
    assert insight.breakdown_values == ["retail", "saas", "(none)"]


def test_dau_from_the_rollup_broken_down_by_an_account_property(store: Settings) -> None:
    # DAU reads the user-days rollup, which has no accounts: the series still come from them.
    query = InsightQuery(
        kind="dau", breakdown="account.industry", start=date(2026, 10, 5), end=date(2026, 10, 8)
    )
    insight = service.run_insight(store, workspace_id=1, query=query)
    series: dict[str, list[int]] = {}
    for r in sorted(insight.rows, key=lambda r: str(r["day"])):
        series.setdefault(r["breakdown"], []).append(r["dau"])
    # saas (acme: u1, u3): u1 10-05; u1 and u3 10-06. retail (globex: u2): 10-05, 10-06,
    # 10-08. (none): u4, in no account, active only on 10-12, outside the range.
    assert series == {"saas": [1, 2, 0, 0], "retail": [1, 1, 0, 1], "(none)": [0, 0, 0, 0]}
    assert insight.breakdown_values[-1] == "(none)"


def test_account_mrr_keeps_the_accounts_of_the_segment(store: Settings) -> None:
    query = InsightQuery(kind="mrr", customer="group_id")
    everyone = service.run_insight(store, workspace_id=1, query=query)
    assert everyone.rows[0]["ending_mrr"] == 140  # acme 100 + globex 40
    saas = seg({"type": "account", "key": "industry", "value": "saas"})
    only = service.run_insight(store, workspace_id=1, query=query, segment=saas)
    assert only.rows[0]["new_mrr"] == 100 and only.rows[0]["ending_mrr"] == 100


def test_behaviour_in_the_last_days_counts_back_from_as_of(store: Settings) -> None:
    recent = {"type": "behaviour", "event": "project_created", "days": 6}
    # As of 10-13, the last 6 days are 10-08 … 10-13: only u2's project (10-08).
    found = segment_service.segment_members(
        store, workspace_id=1, segment=seg(recent), as_of=date(2026, 10, 13)
    )
    assert found == ["u2"]
    # As of 10-12 they are 10-07 … 10-12: still u2 (u1's project was on 10-06).
    found = segment_service.segment_members(
        store, workspace_id=1, segment=seg(recent), as_of=date(2026, 10, 12)
    )
    assert found == ["u2"]
    # As of 10-11 they are 10-06 … 10-11: u1's 10-06 project is back in.
    found = segment_service.segment_members(
        store, workspace_id=1, segment=seg(recent), as_of=date(2026, 10, 11)
    )
    assert found == ["u1", "u2"]
    found = segment_service.segment_members(
        store, workspace_id=1, segment=seg(recent), as_of=date(2026, 10, 7)
    )
    assert found == ["u1"]  # 10-02 … 10-07: u1's 10-06 project


def test_segment_crud_saved_insights_and_funnel_drop_outs(
    session: Session, settings: Settings
) -> None:
    owner = make_user(session)
    ws = make_workspace(session, owner)
    actor = Actor(owner.id, "owner", ws.id, "owner")
    load(settings, ws.id)
    pro = segment_service.create_segment(
        session, actor=actor, name=" Pro users ", definition=seg_json(PRO)
    )
    assert pro.name == "Pro users"
    with pytest.raises(ConflictError, match="already exists"):
        segment_service.create_segment(
            session, actor=actor, name="Pro users", definition=seg_json(PRO)
        )
    with pytest.raises(InvalidInputError) as info:
        segment_service.create_segment(session, actor=actor, name="  ", definition=seg_json(PRO))
    assert info.value.details[0].loc == ("name",)
    with pytest.raises(InvalidInputError, match="unknown operator 'between'"):
        bad = {**PRO, "op": "between"}
        segment_service.update_segment(
            session, actor=actor, segment_id=pro.id, definition=seg_json(bad)
        )
    # The saved insight remembers its segment through the query string.
    saved = service.create_saved_insight(
        session, actor=actor, name="Pro DAU", kind="dau",
        query=f"from=2026-10-05&to=2026-10-13&segment={pro.id}",
    )  # fmt: skip
    shown = service.run_saved_insight(settings, saved, session=session)
    assert [r["dau"] for r in shown.rows] == [1, 2, 0, 0, 0, 0, 0, 1, 1]
    with pytest.raises(NotFoundError):
        service.create_saved_insight(
            session, actor=actor, name="x", kind="dau", query="segment=999"
        )
    with pytest.raises(ConflictError, match="Pro DAU"):
        segment_service.delete_segment(session, actor=actor, segment_id=pro.id)
    service.delete_saved_insight(session, actor=actor, insight_id=saved.id)
    segment_service.delete_segment(session, actor=actor, segment_id=pro.id)
    assert segment_service.list_segments(session, workspace_id=ws.id) == []
    # The users who dropped at step 2 of signup → project_created (1 day), as a segment:
    # u2 (3 days), u3 and u4 (never).
    query = InsightQuery(kind="funnel", steps="signup,project_created", window="1d")
    dropped = segment_service.create_segment(
        session,
        actor=actor,
        name="Dropped",
        definition=segment_service.funnel_dropped_definition(query, 2),
    )
    members = segment_service.segment_members(
        settings, workspace_id=ws.id, segment=segment_service.segment_definition(dropped)
    )
    assert members == ["u2", "u3", "u4"]
    csv_text = service.funnel_dropped_csv(settings, workspace_id=ws.id, query=query)
    assert sorted(line.split(",")[-1] for line in csv_text.splitlines()[1:]) == members


def seg_json(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "conditions": list(conditions)}


def test_key_results_bound_to_a_metric_take_a_segment(session: Session, settings: Settings) -> None:
    from producthq.strategy import okrs
    from producthq.strategy.schemas import KeyResultCreate, MetricBinding, ObjectiveCreate

    owner = make_user(session)
    ws = make_workspace(session, owner)
    actor = Actor(owner.id, "owner", ws.id, "owner")
    load(settings, ws.id)
    pro = segment_service.create_segment(session, actor=actor, name="Pro", definition=seg_json(PRO))
    objective = okrs.create_objective(
        session, actor=actor, data=ObjectiveCreate(title="Grow", period="2026-Q4")
    )
    ids = {}
    for title, params in (("all", {}), ("pro", {"segment": pro.id}), ("gone", {"segment": 999})):
        binding = MetricBinding(metric="dau", params=params)
        kr = okrs.create_key_result(
            session,
            actor=actor,
            objective_id=objective.id,
            data=KeyResultCreate(title=title, baseline=0.0, target=10.0, metric_binding=binding),
        )
        ids[title] = kr.id
    report = service.refresh_key_results(
        session, settings=settings, workspace_id=ws.id, as_of=date(2026, 10, 13)
    )
    # The last complete day is 10-12: u1 and u4 were active; of them only u1 is on pro.
    current = {
        t: okrs.get_key_result(session, workspace_id=ws.id, key_result_id=i).current
        for t, i in ids.items()
    }
    assert current["all"] == 2.0 and current["pro"] == 1.0
    assert "segment 999 does not exist" in report.skipped[ids["gone"]]
