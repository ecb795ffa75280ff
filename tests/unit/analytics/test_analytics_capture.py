"""Segment-style message validation (``analytics/capture.py``): hand cases, one per rule."""

from datetime import datetime

import pytest

from producthq.analytics.capture import MessageError, parse_batch, parse_message

RECEIVED = datetime(2026, 3, 10, 12, 0, 0)  # noqa: DTZ001 - naive UTC, as the code uses


def test_track_keeps_name_ids_properties_and_converts_the_time_to_utc() -> None:
    rec = parse_message(
        {
            "userId": 42,  # numbers are accepted as ids, kept as text
            "event": " Signed Up ",
            "timestamp": "2026-03-01T10:00:00+01:00",  # 09:00 UTC
            "messageId": "m-1",
            "properties": {"plan": "pro"},
            "context": {"groupId": "acct-7"},
        },
        kind="track",
        received_at=RECEIVED,
    )
    assert (rec.type, rec.event, rec.user_id, rec.group_id) == (
        "track",
        "Signed Up",
        "42",
        "acct-7",
    )
    assert rec.timestamp == datetime(2026, 3, 1, 9, 0)  # noqa: DTZ001
    assert rec.properties == {"plan": "pro"}
    assert rec.message_id == "m-1"


def test_missing_timestamp_uses_segment_clock_skew_rule() -> None:
    # Device clock is 5 minutes fast: sentAt 12:05 on the device; event 11:00 on the device.
    rec = parse_message(
        {
            "anonymousId": "a1",
            "event": "x",
            "originalTimestamp": "2026-03-10T11:00:00Z",
            "sentAt": "2026-03-10T12:05:00Z",
        },
        kind="track",
        received_at=RECEIVED,  # server received at 12:00 → the event happened at 10:55
    )
    assert rec.timestamp == datetime(2026, 3, 10, 10, 55)  # noqa: DTZ001
    assert rec.user_id is None and rec.anonymous_id == "a1"


def test_no_time_at_all_means_the_time_received_and_no_message_id_gets_one() -> None:
    rec = parse_message({"userId": "u", "event": "x"}, kind="track", received_at=RECEIVED)
    assert rec.timestamp == RECEIVED
    assert rec.message_id.startswith("phq-")


def test_page_becomes_page_viewed_with_name_and_category() -> None:
    rec = parse_message(
        {"userId": "u", "name": "Pricing", "category": "Docs", "properties": {"path": "/p"}},
        kind="page",
        received_at=RECEIVED,
    )
    assert rec.event == "page_viewed"
    assert rec.properties == {"path": "/p", "name": "Pricing", "category": "Docs"}


def test_identify_and_group_keep_traits() -> None:
    ident = parse_message(
        {"userId": "u", "traits": {"email": "a@b.c"}}, kind="identify", received_at=RECEIVED
    )
    assert ident.event is None and ident.properties == {"email": "a@b.c"}
    grp = parse_message(
        {"userId": "u", "groupId": "g", "traits": {"plan": "team"}},
        kind="group",
        received_at=RECEIVED,
    )
    assert grp.group_id == "g" and grp.properties == {"plan": "team"}


@pytest.mark.parametrize(
    ("message", "kind", "reason"),
    [
        pytest.param([], "track", "JSON object", id="not-an-object"),
        pytest.param({"event": "x"}, "track", "userId or an anonymousId", id="no-actor"),
        pytest.param({"userId": "u"}, "track", "event name", id="track-without-event"),
        pytest.param({"userId": "u", "event": ""}, "track", "event name", id="empty-event"),
        pytest.param({"userId": "u"}, "group", "groupId", id="group-without-id"),
        pytest.param({"userId": {"a": 1}, "event": "x"}, "track", "userId must", id="object-id"),
        pytest.param(
            {"userId": "u", "event": "x", "timestamp": "yesterday"},
            "track",
            "ISO 8601",
            id="bad-time",
        ),
        pytest.param(
            {"userId": "u", "event": "x", "timestamp": 5}, "track", "ISO 8601", id="number-time"
        ),
        pytest.param(
            {"userId": "u", "event": "x", "timestamp": "2099-01-01T00:00:00Z"},
            "track",
            "future",
            id="future",
        ),
        pytest.param(
            {"userId": "u", "event": "x", "properties": [1]},
            "track",
            "properties must",
            id="list-props",
        ),
        pytest.param(
            {"userId": "u", "event": "x", "properties": {"k": "v" * 40000}},
            "track",
            "larger than",
            id="too-big",
        ),
        pytest.param({"type": "alias", "userId": "u"}, None, "type must", id="unknown-type"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(
    message: object, kind: str | None, reason: str
) -> None:
    with pytest.raises(MessageError, match=reason):
        parse_message(message, kind=kind, received_at=RECEIVED)  # type: ignore[arg-type]


def test_batch_keeps_valid_messages_and_names_each_rejection() -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u1", "event": "a", "messageId": "m1"},  # ok
            {"type": "track", "userId": "u1", "messageId": "m2"},  # no event name
            "not an object",  # refused
            {"type": "identify", "userId": "u1", "traits": {"x": 1}},  # ok
        ],
        "context": {"groupId": "acct-1"},  # shared context applies to every message
    }
    valid, rejected = parse_batch(body, received_at=RECEIVED)
    assert [i for i, _ in valid] == [0, 3]
    assert valid[0][1].group_id == "acct-1"
    assert [(r.index, r.message_id) for r in rejected] == [(1, "m2"), (2, None)]
    assert "event name" in rejected[0].reason


@pytest.mark.parametrize("body", [{}, {"batch": {}}, [], {"batch": "x"}])
def test_a_body_without_a_batch_list_is_refused(body: object) -> None:
    with pytest.raises(MessageError, match="batch"):
        parse_batch(body, received_at=RECEIVED)
