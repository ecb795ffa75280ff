"""The demo's events come with identify and group calls that segments and breakdowns can use.

Expected values are counted with plain DuckDB SQL over the stored events, not by ProductHQ.
"""

from datetime import date
from pathlib import Path

from producthq.analytics import segment_service
from producthq.analytics.demo_data import DEMO_SEGMENTS, load_demo_events
from producthq.analytics.segments import parse_definition
from producthq.analytics.store import open_store
from producthq.settings import Settings

END = date(2026, 11, 30)


def test_demo_identifies_every_user_with_the_plan_their_events_show(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert load_demo_events(settings, workspace_id=7, end=END) > 0
    with open_store(settings) as con:
        users, identified, paid_events, paid_traits, accounts, grouped = con.execute(
            """SELECT
                 (SELECT count(DISTINCT user_id) FROM events WHERE workspace_id = 7),
                 (SELECT count(DISTINCT user_id) FROM user_traits WHERE workspace_id = 7),
                 (SELECT count(DISTINCT user_id) FROM events
                   WHERE workspace_id = 7 AND event = 'subscription_started'),
                 (SELECT count(*) FROM user_traits
                   WHERE workspace_id = 7 AND (traits->>'plan') = 'paid'),
                 (SELECT count(DISTINCT group_id) FROM events WHERE workspace_id = 7),
                 (SELECT count(*) FROM group_traits WHERE workspace_id = 7)"""
        ).fetchone()
        admins_paid = con.execute(
            "SELECT user_id FROM user_traits WHERE workspace_id = 7 "
            "AND (traits->>'plan') = 'paid' AND (traits->>'role') = 'admin' ORDER BY user_id"
        ).fetchall()
    assert identified == users and grouped == accounts
    assert paid_traits == paid_events > 0
    # The demo's "Paying admins" segment finds exactly those users.
    name, _, definition = DEMO_SEGMENTS[0]
    assert name == "Paying admins"
    members = segment_service.segment_members(
        settings, workspace_id=7, segment=parse_definition(definition), as_of=END
    )
    assert members == [u for (u,) in admins_paid] and members
    # Loading again adds nothing: the workspace already has its events and calls.
    assert load_demo_events(settings, workspace_id=7, end=END) == 0
    with open_store(settings) as con:
        again = con.execute("SELECT count(*) FROM user_traits WHERE workspace_id = 7").fetchone()
    assert again == (identified,)
