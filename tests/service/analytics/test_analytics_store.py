"""The events store: capture spool, loader, import, insights and key-result refresh.

Every case uses a few hand-written events; each expected number is worked out in a comment.
"""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.analytics import importer, rollup, service
from producthq.analytics.capture import parse_message
from producthq.analytics.loader import load_pending
from producthq.analytics.query import InsightQuery, metric_params
from producthq.analytics.spool import Spool
from producthq.analytics.store import open_sources, open_store
from producthq.audit.service import Actor
from producthq.errors import InvalidInputError
from producthq.settings import Settings
from producthq.strategy import okrs
from producthq.strategy.schemas import KeyResultCreate, MetricBinding, ObjectiveCreate

RECEIVED = datetime(2026, 11, 1, 12, 0)  # noqa: DTZ001 - naive UTC

# Workspace 1. Weeks start on Monday: 2026-10-05, 10-12, 10-19.
WS1 = [
    ("u1", "signup", "2026-10-05T09:00:00Z", {"plan": "pro"}),
    ("u1", "project_created", "2026-10-06T10:00:00Z", {}),  # 1 day after sign-up
    ("u1", "subscription_started", "2026-10-06T11:00:00Z", {"mrr": 50}),
    ("u2", "signup", "2026-10-07T08:00:00Z", {"plan": "free"}),
    ("u2", "pageview", "2026-10-07T08:30:00Z", {}),
    ("u2", "subscription_started", "2026-10-08T00:00:00Z", {"mrr": 30}),
    ("u1", "pageview", "2026-10-12T10:00:00Z", {}),  # u1 returns in week 1
    ("u3", "signup", "2026-10-13T10:00:00Z", {}),
    ("u2", "subscription_cancelled", "2026-10-20T00:00:00Z", {"mrr": 0}),
    ("u3", "project_created", "2026-10-25T10:00:00Z", {}),  # 12 days: outside 7 days
]
# Workspace 2 must never show up in workspace 1's numbers.
WS2 = [("u9", "signup", "2026-10-05T09:00:00Z", {})]


def _records(rows: list[tuple[str, str, str, dict[str, Any]]], prefix: str) -> list[Any]:
    return [
        parse_message(
            {
                "userId": u,
                "event": e,
                "timestamp": t,
                "properties": p,
                "messageId": f"{prefix}-{i}",
            },
            kind="track",
            received_at=RECEIVED,
        )
        for i, (u, e, t, p) in enumerate(rows)
    ]


@pytest.fixture
def store(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    assert all(
        service.capture(settings, workspace_id=1, records=_records(WS1, "a"), received_at=RECEIVED)
    )
    assert all(
        service.capture(settings, workspace_id=2, records=_records(WS2, "b"), received_at=RECEIVED)
    )
    load_pending(settings)
    return settings


def _count(settings: Settings, workspace_id: int) -> int:
    return service.store_status(settings, workspace_id=workspace_id).events


def test_loader_moves_captured_events_once_and_duplicates_are_dropped(store: Settings) -> None:
    assert _count(store, 1) == 10 and _count(store, 2) == 1
    again = service.capture(store, workspace_id=1, records=_records(WS1, "a"), received_at=RECEIVED)
    assert again == [False] * 10  # same message ids: all duplicates
    assert load_pending(store).events == 0
    assert _count(store, 1) == 10
    # The same message id in another workspace is a different message.
    assert service.capture(
        store, workspace_id=2, records=_records(WS1[:1], "a"), received_at=RECEIVED
    ) == [True]


def test_a_crash_after_loading_but_before_clearing_the_spool_loads_nothing_twice(
    store: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.capture(store, workspace_id=1, records=_records(WS1[:3], "c"), received_at=RECEIVED)

    def crash(self: Spool, upto: int) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(Spool, "forget_payloads", crash)
    with pytest.raises(RuntimeError):
        load_pending(store)
    monkeypatch.undo()
    assert _count(store, 1) == 13  # the 3 new events are in, committed with the watermark
    assert load_pending(store).events == 0  # payloads still in the spool are below the mark
    assert _count(store, 1) == 13


def test_identify_and_group_calls_store_traits(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    recs = [
        parse_message(
            {"userId": "u1", "traits": {"role": "cto"}, "messageId": "i1"},
            kind="identify",
            received_at=RECEIVED,
        ),
        parse_message(
            {"userId": "u1", "groupId": "g1", "traits": {"plan": "team"}, "messageId": "g1"},
            kind="group",
            received_at=RECEIVED,
        ),
    ]
    service.capture(settings, workspace_id=1, records=recs, received_at=RECEIVED)
    report = load_pending(settings)
    assert (report.events, report.identifies, report.groups) == (0, 1, 1)
    with open_store(settings) as con:
        assert con.execute("SELECT user_id, traits->>'role' FROM user_traits").fetchall() == [
            ("u1", "cto")
        ]
        assert con.execute(
            "SELECT group_id, user_id, traits->>'plan' FROM group_traits"
        ).fetchall() == [("g1", "u1", "team")]


def test_dau_counts_only_the_workspace_and_lists_empty_days(store: Settings) -> None:
    insight = service.run_insight(
        store,
        workspace_id=1,
        query=InsightQuery(kind="dau", start=date(2026, 10, 5), end=date(2026, 10, 13)),
    )
    # 10-05 u1 (u9 is workspace 2) · 10-06 u1 · 10-07 u2 · 10-08 u2 (subscription) ·
    # 10-09..10-11 nobody · 10-12 u1 · 10-13 u3
    assert [r["dau"] for r in insight.rows] == [1, 1, 1, 1, 0, 0, 0, 1, 1]
    assert insight.columns == ["day", "dau"]
    assert insight.chart["mark"]["type"] == "line"


def test_filter_and_breakdown_by_a_property(store: Settings) -> None:
    window = {"start": date(2026, 10, 5), "end": date(2026, 10, 8)}
    only_pro = service.run_insight(
        store, workspace_id=1, query=InsightQuery(kind="dau", filters=("plan=pro",), **window)
    )
    # Only u1's signup on 10-05 carries plan=pro.
    assert [r["dau"] for r in only_pro.rows] == [1, 0, 0, 0]
    split = service.run_insight(
        store, workspace_id=1, query=InsightQuery(kind="dau", breakdown="plan", **window)
    )
    # Values by frequency then name: free (1 event), pro (1 event); then "(none)", the events
    # without a plan: 10-06 u1 (project, subscription) · 10-07 u2 (pageview) · 10-08 u2.
    assert split.breakdown_values == ["free", "pro", "(none)"]
    by_value = {(r["breakdown"], r["day"]): r["dau"] for r in split.rows}
    assert by_value[("pro", date(2026, 10, 5))] == 1
    assert by_value[("free", date(2026, 10, 7))] == 1
    assert [by_value[("(none)", date(2026, 10, d))] for d in (5, 6, 7, 8)] == [0, 1, 1, 1]
    assert sum(by_value.values()) == 5
    assert split.columns == ["breakdown", "day", "dau"]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(InsightQuery(kind="nope"), id="unknown-kind"),
        pytest.param(
            InsightQuery(kind="dau", start=date(2026, 10, 9), end=date(2026, 10, 1)), id="reversed"
        ),
        pytest.param(InsightQuery(kind="dau", tz="Mars/Olympus"), id="bad-zone"),
        pytest.param(InsightQuery(kind="funnel", steps="signup"), id="one-step"),
        pytest.param(InsightQuery(kind="funnel", steps="a,b", window="soon"), id="bad-window"),
        pytest.param(InsightQuery(kind="dau", filters=("no-equals",)), id="bad-filter"),
        pytest.param(InsightQuery(kind="dau", breakdown="a b"), id="bad-breakdown"),
        pytest.param(InsightQuery(kind="dau", period="week"), id="dau-per-week"),
    ],
)
def test_bad_queries_are_invalid_input(store: Settings, query: InsightQuery) -> None:
    with pytest.raises(InvalidInputError):
        service.run_insight(store, workspace_id=1, query=query)


def test_import_is_all_or_nothing_and_idempotent(store: Settings, tmp_path: Path) -> None:
    good = tmp_path / "events.csv"
    good.write_text(
        "name,uid,time\n"
        "signup,u7,2026-10-09T10:00:00Z\n"
        "pageview,u7,2026-10-09T11:00:00Z\n"
        "pageview,u7,2026-10-09T11:00:00Z\n",  # an exact duplicate row: same derived id
        encoding="utf-8",
    )
    mapping = {"event": "name", "user_id": "uid", "timestamp": "time"}
    seen: list[int] = []
    report = importer.import_events(
        store, workspace_id=1, path=good, mapping=mapping, progress=lambda p, _m: seen.append(p)
    )
    assert (report.rows_read, report.imported, report.skipped_duplicates) == (3, 2, 1)
    assert seen[0] == 1 and seen[-1] == 100
    again = importer.import_events(store, workspace_id=1, path=good, mapping=mapping)
    assert again.imported == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,uid,time\nsignup,u8,2026-10-09T10:00:00Z\npageview,,2026-10-09T11:00:00Z\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="row 2: user_id is empty"):
        importer.import_events(store, workspace_id=1, path=bad, mapping=mapping)
    assert _count(store, 1) == 12  # 10 captured + 2 imported; nothing of bad.csv
    with pytest.raises(InvalidInputError, match="not a column"):
        importer.import_events(store, workspace_id=1, path=good, mapping={"user_id": "nope"})


def test_bound_key_results_refresh_from_the_store(store: Settings, session: Session) -> None:
    owner = make_user(session)
    workspace = make_workspace(session, owner)
    actor = Actor(owner.id, owner.email, workspace.id, "owner")
    objective = okrs.create_objective(
        session, actor=actor, data=ObjectiveCreate(title="Grow", period="2026-Q4")
    )
    ids = {}
    for metric in ("dau", "activation_rate", "retention_week_1", "mrr", "nope"):
        kr = okrs.create_key_result(
            session,
            actor=actor,
            objective_id=objective.id,
            data=KeyResultCreate(
                title=metric,
                baseline=0.0,
                target=100.0,
                metric_binding=MetricBinding(metric=metric),
            ),
        )
        ids[metric] = kr.id
    # The store fixture's events are in workspace 1; the new workspace must be workspace 1.
    assert workspace.id == 1
    report = service.refresh_key_results(
        session, settings=store, workspace_id=1, as_of=date(2026, 10, 14)
    )
    assert "cannot be computed" in report.skipped[ids["nope"]]
    values = {
        m: okrs.get_key_result(session, workspace_id=1, key_result_id=i).current
        for m, i in ids.items()
    }
    # dau: the last complete day is 10-13, when only u3 was active → 1.
    assert values["dau"] == 1.0
    # activation: sign-ups u1 (10-05), u2 (10-07), u3 (10-13) in 10-01..10-13; only u1 created a
    # project within 7 days (u3's comes 12 days later) → 1/3.
    assert values["activation_rate"] == pytest.approx(100 / 3)
    # mrr: on 10-13 u1 pays 50 and u2 pays 30 (cancelled only on 10-20) → 80.
    assert values["mrr"] == 80.0
    report = service.refresh_key_results(
        session, settings=store, workspace_id=1, as_of=date(2026, 11, 1)
    )
    values = {
        m: okrs.get_key_result(session, workspace_id=1, key_result_id=i).current
        for m, i in ids.items()
    }
    # Weekly cohorts up to 10-31: week 10-05 = {u1, u2}, week 10-12 = {u3}. Week 1 after:
    # u1 active 10-12 (yes), u2 not; u3 active 10-25, in week 10-19 (yes) → 2/3.
    assert values["retention_week_1"] == pytest.approx(200 / 3)
    # mrr: u2 cancelled on 10-20, so at 10-31 only u1's 50 is left.
    assert values["mrr"] == 50.0


def test_behavioural_segments_did_and_did_not(store: Settings) -> None:
    window = {"start": date(2026, 10, 5), "end": date(2026, 10, 13)}
    did = service.run_insight(
        store,
        workspace_id=1,
        query=InsightQuery(kind="dau", filters=("did=project_created",), **window),
    )
    # u1 and u3 created a project (u3 only on 10-25, after the range: "at any time" counts);
    # u2 never did. Days: 10-05 u1 · 10-06 u1 · 10-12 u1 · 10-13 u3.
    assert [r["dau"] for r in did.rows] == [1, 1, 0, 0, 0, 0, 0, 1, 1]
    did_not = service.run_insight(
        store,
        workspace_id=1,
        query=InsightQuery(kind="dau", filters=("did_not=project_created",), **window),
    )
    # Only u2: 10-07 (signup, pageview) and 10-08 (subscription).
    assert [r["dau"] for r in did_not.rows] == [0, 0, 1, 1, 0, 0, 0, 0, 0]
    # A property filter after a behavioural one: u1 is a doer, and only u1's signup has plan=pro.
    both = service.run_insight(
        store,
        workspace_id=1,
        query=InsightQuery(kind="dau", filters=("plan=pro", "did=project_created"), **window),
    )
    assert sum(r["dau"] for r in both.rows) == 1


# --- The user-days rollup ------------------------------------------------------------------------


def _distinct_user_days(settings: Settings) -> set[tuple[int, str, date]]:
    with open_store(settings) as con:
        rows = con.execute(
            'SELECT DISTINCT workspace_id, user_id, CAST("timestamp" AS DATE) FROM events'
        ).fetchall()
        rolled = con.execute(
            "SELECT workspace_id, user_id, DATE '1900-01-01' + phq_day FROM user_days"
        ).fetchall()
    assert len(rolled) == len(set(rolled))
    assert {(w, u, day) for w, u, day in rolled} == {(w, u, day) for w, u, day in rows}
    return {(w, u, day) for w, u, day in rows}


def test_loader_and_import_keep_the_rollup_up_to_date(store: Settings, tmp_path: Path) -> None:
    # WS1: u1 on 10-05, 10-06, 10-12; u2 on 10-07, 10-08, 10-20; u3 on 10-13, 10-25; WS2: u9.
    assert len(_distinct_user_days(store)) == 9
    with open_store(store) as con:
        assert not rollup.pending(con)
    csv = tmp_path / "late.csv"
    csv.write_text("name,uid,time\npageview,u3,2026-10-06T10:00:00Z\n", encoding="utf-8")
    mapping = {"event": "name", "user_id": "uid", "timestamp": "time"}
    importer.import_events(store, workspace_id=1, path=csv, mapping=mapping)
    with open_store(store) as con:
        assert not rollup.pending(con)
    assert (1, "u3", date(2026, 10, 6)) in _distinct_user_days(store)


def test_insights_read_the_rollup_and_see_events_it_has_not_folded_in(store: Settings) -> None:
    query = InsightQuery(kind="dau", start=date(2026, 10, 5), end=date(2026, 10, 13))
    with open_store(store) as con:
        # Another writer appends without refreshing (a store from before the rollup, say).
        con.execute(
            'INSERT INTO events (workspace_id, event, user_id, "timestamp") VALUES '
            "(1, 'pageview', 'u2', TIMESTAMP '2026-10-10 09:00:00')"
        )
        assert rollup.pending(con)
    with open_sources(store, 1) as sources:
        assert sources.user_days is not None
        prepared = metric_params(query)
        assert service.metric_events(sources, prepared) is sources.user_days
        # A property filter needs the events themselves.
        with_filter = metric_params(replace(query, filters=("plan=pro",)))
        assert service.metric_events(sources, with_filter) is sources.events
    insight = service.run_insight(store, workspace_id=1, query=query)
    # As in the DAU case above, plus u2 on 10-10 (a Saturday).
    assert [r["dau"] for r in insight.rows] == [1, 1, 1, 1, 0, 1, 0, 1, 1]
    only_u1 = service.run_insight(
        store, workspace_id=1, query=replace(query, kind="lifecycle", filters=("user_id=u1",))
    )
    # u1: new in the week of 10-05, returning in the week of 10-12.
    weeks = {r["week"]: (r["new"], r["returning"], r["dormant"]) for r in only_u1.rows}
    assert weeks == {date(2026, 10, 5): (1, 0, 0), date(2026, 10, 12): (0, 1, 0)}
