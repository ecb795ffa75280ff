"""Segments: sets of users defined by properties and behaviour, compiled to Ibis (pure).

A segment definition is a group of conditions combined with ``all`` (AND) or ``any`` (OR);
a group may contain groups. Conditions:

- ``user``: a user property (identify calls). Identify calls merge, as Segment's do: a user's
  value of a key is the one in their latest call that sets it (by timestamp, then message id).
- ``account``: a property of an account (group calls, same rule); a user belongs to an account
  when one of their events carries its ``group_id`` or a group call links them to it.
- ``event``: the user did an event (of one name, or any) whose property passes the test.
- ``behaviour``: the user did an event at least / at most N times, or not at all, in the last D
  days (the D UTC days ending on the evaluation day, inclusive), between two dates (UTC days,
  inclusive), or at any time.
- ``funnel_dropped``: the user entered a funnel and did not reach a step (``METRICS.md``'s
  funnel: ordered, window from step 1, re-entry), the saveable form of the funnel's dropped
  users export.

Property operators: ``eq``, ``neq``, ``contains``, ``not_contains`` (case-insensitive),
``gt``, ``gte``, ``lt``, ``lte`` (numbers; values that are not numbers never pass),
``is_set`` and ``is_not_set``. For ``user`` and ``account``, ``neq``, ``not_contains`` and
``is_not_set`` include users who have no value at all (Mixpanel's "is not").

The users considered are those with at least one event. A segment compiles to a one-column
table of ``user_id`` (``segment_users``); metrics take a segment by pre-filtering the events
table to those users (``apply_segment``), or, for account metrics, to their accounts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, get_args

import ibis
import ibis.expr.types as ir

from producthq.analytics.events import property_text
from producthq.analytics.metrics_funnel import funnel_users
from producthq.analytics.params import MetricParams, Step, parse_steps, parse_window
from producthq.analytics.periods import Calendar
from producthq.errors import InvalidInputError, Problem

PropertySource = Literal["user", "account", "event"]
PropertyOp = Literal[
    "eq", "neq", "contains", "not_contains", "gt", "gte", "lt", "lte", "is_set", "is_not_set"
]
BehaviourOp = Literal["at_least", "at_most", "not_done"]
Match = Literal["all", "any"]
PROPERTY_OPS: tuple[str, ...] = get_args(PropertyOp)
BEHAVIOUR_OPS: tuple[str, ...] = get_args(BehaviourOp)
NUMERIC_OPS = ("gt", "gte", "lt", "lte")
NEGATIVE_OPS = ("neq", "not_contains", "is_not_set")
VALUELESS_OPS = ("is_set", "is_not_set")
MAX_CONDITIONS = 50
MAX_DEPTH = 3
_KEY_RE = re.compile(r"^[A-Za-z_$][\w$.\-]{0,99}$")
_NUMBER_RE = r"^\s*-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?\s*$"
_EPOCH = date(1970, 1, 1)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class PropertyCondition:
    """A test on a user, account or event property."""

    source: PropertySource
    key: str
    op: PropertyOp
    value: str | None = None
    event: str | None = None


@dataclass(frozen=True)
class BehaviourCondition:
    """Did ``event`` at least / at most ``count`` times (or not at all) in a time window."""

    event: str
    op: BehaviourOp
    count: int = 1
    days: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class FunnelDropCondition:
    """Entered the funnel and never reached step ``step`` (``None``: did not finish)."""

    steps: tuple[Step, ...]
    window: timedelta
    step: int | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class SegmentGroup:
    """Conditions combined with AND (``all``) or OR (``any``)."""

    match: Match
    conditions: tuple[Condition, ...]


Condition = PropertyCondition | BehaviourCondition | FunnelDropCondition | SegmentGroup


# --- parsing and validation ------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def fail(self, loc: tuple[str | int, ...], message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(("definition", *loc), message, code))

    def text(self, raw: Mapping[str, Any], name: str, loc: tuple[str | int, ...]) -> str | None:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail((*loc, name), f"{name} must be text")
            return None
        return str(value).strip()[:500]

    def integer(
        self, raw: Mapping[str, Any], name: str, loc: tuple[str | int, ...], lo: int, hi: int
    ) -> int | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail((*loc, name), f"{name} must be a whole number, not {str(value)[:30]!r}")
            return None
        if not lo <= number <= hi:
            self.fail((*loc, name), f"{name} must be between {lo} and {hi}, not {number}")
            return None
        return number

    def day(self, raw: Mapping[str, Any], name: str, loc: tuple[str | int, ...]) -> date | None:
        value = raw.get(name)
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail((*loc, name), f"bad date {str(value)[:20]!r}; use YYYY-MM-DD")
            return None

    def group(self, raw: Any, loc: tuple[str | int, ...], depth: int) -> SegmentGroup:
        if not isinstance(raw, Mapping):
            self.fail(loc, "a group must be an object with 'match' and 'conditions'")
            return SegmentGroup("all", ())
        match = raw.get("match", "all")
        if match not in ("all", "any"):
            self.fail((*loc, "match"), f"match must be 'all' or 'any', not {str(match)[:20]!r}")
            match = "all"
        items = raw.get("conditions")
        if not isinstance(items, list) or not items:
            self.fail((*loc, "conditions"), "a segment needs at least one condition")
            return SegmentGroup(match, ())
        out: list[Condition] = []
        for i, item in enumerate(items):
            self.count += 1
            if self.count > MAX_CONDITIONS:
                limit = f"a segment has at most {MAX_CONDITIONS} conditions"
                self.fail((*loc, "conditions"), limit)
                break
            found = self.condition(item, (*loc, "conditions", i), depth)
            if found is not None:
                out.append(found)
        return SegmentGroup(match, tuple(out))

    def condition(self, raw: Any, loc: tuple[str | int, ...], depth: int) -> Condition | None:
        if not isinstance(raw, Mapping):
            self.fail(loc, "a condition must be an object")
            return None
        kind = raw.get("type")
        if kind == "group":
            if depth >= MAX_DEPTH:
                self.fail(loc, f"groups nest at most {MAX_DEPTH} deep")
                return None
            return self.group(raw, loc, depth + 1)
        if kind in ("user", "account", "event"):
            return self.property(raw, kind, loc)
        if kind == "behaviour":
            return self.behaviour(raw, loc)
        if kind == "funnel_dropped":
            return self.funnel(raw, loc)
        self.fail(
            (*loc, "type"),
            f"unknown condition type {str(kind)[:30]!r}; "
            "known: user, account, event, behaviour, funnel_dropped, group",
        )
        return None

    def property(
        self, raw: Mapping[str, Any], source: PropertySource, loc: tuple[str | int, ...]
    ) -> PropertyCondition | None:
        key = self.text(raw, "key", loc)
        op = raw.get("op", "eq")
        value = self.text(raw, "value", loc)
        event = self.text(raw, "event", loc) if source == "event" else None
        ok = True
        if key is None or not _KEY_RE.match(key):
            self.fail((*loc, "key"), f"bad property name {key or ''!r}; use letters, digits, _.-")
            ok = False
        if op not in PROPERTY_OPS:
            self.fail(
                (*loc, "op"),
                f"unknown operator {str(op)[:20]!r}; known: {', '.join(PROPERTY_OPS)}",
            )
            return None
        if op not in VALUELESS_OPS and value is None:
            self.fail((*loc, "value"), f"operator {op!r} needs a value")
            ok = False
        if op in NUMERIC_OPS and value is not None and not re.match(_NUMBER_RE, value):
            self.fail((*loc, "value"), f"operator {op!r} needs a number, not {value[:30]!r}")
            ok = False
        if not ok or key is None:
            return None
        return PropertyCondition(source, key, op, None if op in VALUELESS_OPS else value, event)

    def window(
        self, raw: Mapping[str, Any], loc: tuple[str | int, ...]
    ) -> tuple[int | None, date | None, date | None]:
        days = self.integer(raw, "days", loc, 1, 3650)
        start, end = self.day(raw, "from", loc), self.day(raw, "to", loc)
        if days is not None and (start or end):
            self.fail((*loc, "days"), "give either the last N days or dates, not both")
        if start and end and start > end:
            self.fail((*loc, "from"), "the range starts after it ends")
        return days, start, end

    def behaviour(
        self, raw: Mapping[str, Any], loc: tuple[str | int, ...]
    ) -> BehaviourCondition | None:
        event = self.text(raw, "event", loc)
        op = raw.get("op", "at_least")
        if event is None:
            self.fail((*loc, "event"), "a behaviour condition needs an event name")
        if op not in BEHAVIOUR_OPS:
            self.fail(
                (*loc, "op"),
                f"unknown operator {str(op)[:20]!r}; known: {', '.join(BEHAVIOUR_OPS)}",
            )
            return None
        lowest = 1 if op == "at_least" else 0
        count = self.integer(raw, "count", loc, lowest, 1_000_000)
        days, start, end = self.window(raw, loc)
        if event is None:
            return None
        return BehaviourCondition(event, op, 1 if count is None else count, days, start, end)

    def funnel(
        self, raw: Mapping[str, Any], loc: tuple[str | int, ...]
    ) -> FunnelDropCondition | None:
        try:
            steps = parse_steps(self.text(raw, "steps", loc) or "")
            window = parse_window(self.text(raw, "window", loc) or "7d")
        except InvalidInputError as exc:
            self.fail((*loc, exc.details[0].loc[0] if exc.details else "steps"), exc.message)
            return None
        step = self.integer(raw, "step", loc, 2, len(steps))
        _, start, end = self.window({k: v for k, v in raw.items() if k != "days"}, loc)
        return FunnelDropCondition(steps, window, step, start, end)


def parse_definition(raw: Any) -> SegmentGroup:
    """Validate a segment definition (decoded JSON, or JSON text) and return it.

    Raises:
        InvalidInputError: with one problem per mistake, located under ``definition``.

    Examples:
        >>> parse_definition({"conditions": [{"type": "user", "key": "plan", "value": "pro"}]})
        SegmentGroup(match='all', conditions=(PropertyCondition(source='user', key='plan', \
op='eq', value='pro', event=None),))
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise InvalidInputError.single(
                ("definition",), f"the definition is not valid JSON: {exc}"
            ) from None
    reader = _Reader()
    group = reader.group(raw, (), 0)
    if reader.problems:
        first = reader.problems[0]
        where = ".".join(str(p) for p in first.loc[1:]) or "definition"
        raise InvalidInputError(f"{where}: {first.message}", details=reader.problems)
    return group


def _window_json(days: int | None, start: date | None, end: date | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if days is not None:
        out["days"] = days
    if start is not None:
        out["from"] = start.isoformat()
    if end is not None:
        out["to"] = end.isoformat()
    return out


def definition_json(condition: Condition) -> dict[str, Any]:
    """Return the JSON form of a definition (``parse_definition`` reads it back)."""
    if isinstance(condition, SegmentGroup):
        body = [definition_json(c) for c in condition.conditions]
        return {"type": "group", "match": condition.match, "conditions": body}
    if isinstance(condition, PropertyCondition):
        out: dict[str, Any] = {"type": condition.source, "key": condition.key, "op": condition.op}
        if condition.value is not None:
            out["value"] = condition.value
        if condition.event is not None:
            out["event"] = condition.event
        return out
    if isinstance(condition, BehaviourCondition):
        return {
            "type": "behaviour",
            "event": condition.event,
            "op": condition.op,
            "count": condition.count,
            **_window_json(condition.days, condition.start, condition.end),
        }
    steps = ",".join(s.label() for s in condition.steps)
    seconds = int(condition.window.total_seconds())
    window = f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{seconds}s"
    out = {"type": "funnel_dropped", "steps": steps, "window": window}
    if condition.step is not None:
        out["step"] = condition.step
    return {**out, **_window_json(None, condition.start, condition.end)}


def needs_traits(condition: Condition) -> bool:
    """Return whether a definition reads user or account properties."""
    if isinstance(condition, SegmentGroup):
        return any(needs_traits(c) for c in condition.conditions)
    return isinstance(condition, PropertyCondition) and condition.source != "event"


# --- compiling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentSources:
    """The tables a segment reads.

    Attributes:
        events: the canonical events table (every event, before any filter).
        users: identify calls: ``user_id, timestamp, message_id, traits`` (JSON), or ``None``.
        groups: group calls: ``group_id, user_id, timestamp, message_id, traits``, or ``None``.
            Without a ``traits`` column, the other columns of ``users`` / ``groups`` are the
            properties (a warehouse's users table, ``warehouse.py``).
        user_days: the store's user-days rollup (``rollup.py``), which activity metrics read
            instead of ``events`` when it gives the same numbers; ``None`` elsewhere.
        user_keys: the rollup's ``user_id, user_key`` pairs (retention's start events need
            them); ``None`` where there is no rollup.
    """

    events: ir.Table
    users: ir.Table | None = None
    groups: ir.Table | None = None
    user_days: ir.Table | None = None
    user_keys: ir.Table | None = None


_CALL_COLUMNS = ("user_id", "anonymous_id", "group_id", "timestamp", "message_id")


def trait_text(calls: ir.Table, key: str) -> ir.StringValue:
    """Return a property of identify or group calls as text: from the ``traits`` JSON, or,
    when the calls have no such column, from the column named ``key`` (null if none is)."""
    if "traits" in calls.columns:
        return property_text(calls.traits, key)
    if key in calls.columns and key not in _CALL_COLUMNS:
        return calls[key].cast("string")
    return ibis.null("string")


def latest_property(calls: ir.Table, id_column: str, key: str) -> ir.Table:
    """Return ``id, value``: each actor's value of ``key`` from its latest call that sets it."""
    value = trait_text(calls, key)
    calls = calls.filter(calls[id_column].notnull()).mutate(value=value)
    calls = calls.filter(calls.value.notnull())
    order = [ibis.desc("timestamp"), ibis.desc("message_id")]
    ranked = calls.mutate(rn=ibis.row_number().over(group_by=id_column, order_by=order))
    return ranked.filter(ranked.rn == 0).select(id=ranked[id_column], value=ranked.value)


def _number(text: ir.StringValue) -> ir.FloatingValue:
    # Only text that looks like a number is cast: a cast of other text fails on some engines.
    looks = text.re_search(_NUMBER_RE)
    return ibis.cases((looks, text), else_=ibis.null("string")).cast("float64")


def _test(value: ir.StringValue, op: str, expected: str | None) -> ir.BooleanValue:
    """The positive form of an operator on a property's text (``neq`` → ``eq`` and so on)."""
    if op in ("eq", "neq"):
        return value == expected
    if op in ("contains", "not_contains"):
        return value.lower().contains(str(expected).lower())
    if op in ("is_set", "is_not_set"):
        return value.notnull()
    number = _number(value)
    bound = float(str(expected))
    tests = {"gt": number > bound, "gte": number >= bound, "lt": number < bound}
    return tests.get(op, number <= bound)


def _ids(table: ir.Table, column: str) -> ir.Column:
    # NOT IN over a set containing NULL matches nothing: drop nulls from every member list.
    return table.filter(table[column].notnull()).select(column).distinct()[column]


class _Compiler:
    def __init__(self, sources: SegmentSources, as_of: date) -> None:
        self.events = sources.events
        self.sources = sources
        self.as_of = as_of
        self.universe = self.events.filter(self.events.user_id.notnull()).select("user_id")
        self.universe = self.universe.distinct()

    def members(self, condition: Condition) -> ir.BooleanValue:
        who = self.universe.user_id
        if isinstance(condition, SegmentGroup):
            parts = [self.members(c) for c in condition.conditions]
            out = parts[0]
            for part in parts[1:]:
                out = (out & part) if condition.match == "all" else (out | part)
            return out
        if isinstance(condition, PropertyCondition):
            return self.property(condition)
        if isinstance(condition, BehaviourCondition):
            return self.behaviour(condition)
        return who.isin(_ids(self.dropped(condition), "user_id"))

    def traits(self, source: str) -> ir.Table:
        table = self.sources.users if source == "user" else self.sources.groups
        if table is None:
            raise InvalidInputError.single(
                ("segment",),
                f"{source} properties are not available here: they come from "
                f"{'identify' if source == 'user' else 'group'} calls in the events store "
                f"(on a file, pass --{'users' if source == 'user' else 'accounts'} FILE; in "
                f"warehouse-native mode, set PRODUCTHQ_{'USERS' if source == 'user' else 'GROUPS'}"
                "_TABLE)",
            )
        if source == "user" and "anonymous_id" in table.columns:
            table = table.mutate(user_id=table.user_id.fill_null(table.anonymous_id))
        return table

    def property(self, c: PropertyCondition) -> ir.BooleanValue:
        who = self.universe.user_id
        if c.source == "event":
            ev = self.events
            cond = _test(property_text(ev.properties, c.key), c.op, c.value)
            if c.op in NEGATIVE_OPS:
                cond = ~cond.fill_null(False)
            if c.event:
                cond = cond & (ev.event == c.event)
            return who.isin(_ids(ev.filter(cond), "user_id"))
        id_column = "user_id" if c.source == "user" else "group_id"
        latest = latest_property(self.traits(c.source), id_column, c.key)
        passing = _ids(latest.filter(_test(latest.value, c.op, c.value)), "id")
        if c.source == "account":
            found = who.isin(self.account_users(passing))
        else:
            found = who.isin(passing)
        return ~found if c.op in NEGATIVE_OPS else found

    def account_users(self, accounts: ir.Column) -> ir.Column:
        ev = self.events
        users = ev.filter(ev.group_id.isin(accounts)).select(user_id=ev.user_id.cast("string"))
        if self.sources.groups is not None:
            calls = self.sources.groups
            linked = calls.filter(calls.group_id.isin(accounts)).select(
                user_id=calls.user_id.cast("string")
            )
            users = ibis.union(users, linked)
        return _ids(users, "user_id")

    def _bounds(self, c: BehaviourCondition) -> tuple[datetime | None, datetime | None]:
        if c.days is not None:
            first = self.as_of - timedelta(days=c.days - 1)
            return datetime.combine(first, time()), datetime.combine(self.as_of, time()) + _DAY
        lo = datetime.combine(c.start, time()) if c.start else None
        hi = datetime.combine(c.end, time()) + _DAY if c.end else None
        return lo, hi

    def behaviour(self, c: BehaviourCondition) -> ir.BooleanValue:
        ev = self.events
        cond = ev.event == c.event
        lo, hi = self._bounds(c)
        if lo is not None:
            cond = cond & (ev.timestamp >= ibis.timestamp(lo))
        if hi is not None:
            cond = cond & (ev.timestamp < ibis.timestamp(hi))
        counts = ev.filter(cond & ev.user_id.notnull()).group_by("user_id").agg(n=ibis._.count())
        who = self.universe.user_id
        if c.op == "at_least":
            return who.isin(_ids(counts.filter(counts.n >= c.count), "user_id"))
        if c.op == "at_most":
            return ~who.isin(_ids(counts.filter(counts.n > c.count), "user_id"))
        return ~who.isin(_ids(counts, "user_id"))

    def dropped(self, c: FunnelDropCondition) -> ir.Table:
        cal = Calendar(c.start or _EPOCH, c.end or self.as_of)
        params = MetricParams(steps=c.steps, window=c.window, reentry=True)
        users = funnel_users(self.events, params, cal)
        last = len(c.steps)
        if c.step is None:
            return users.filter(users.furthest < last)
        return users.filter(users.furthest == c.step - 1)


def segment_users(definition: SegmentGroup, sources: SegmentSources, *, as_of: date) -> ir.Table:
    """Return an expression of the segment's users: one column ``user_id``, distinct.

    Args:
        definition: a validated definition (``parse_definition``).
        sources: the events and, when conditions need them, identify and group calls.
        as_of: the evaluation day (UTC) that "the last N days" end on.

    Raises:
        InvalidInputError: user or account conditions without identify or group calls.
    """
    compiler = _Compiler(sources, as_of)
    return compiler.universe.filter(compiler.members(definition))


def segment_accounts(members: ir.Table, sources: SegmentSources) -> ir.Table:
    """Return the accounts (``group_id``) of a segment's users: from events and group calls."""
    ev = sources.events
    # Casts drop NOT NULL from a column's type, which set operations compare.
    accounts = ev.filter(ev.user_id.isin(members.user_id)).select(
        group_id=ev.group_id.cast("string")
    )
    if sources.groups is not None:
        calls = sources.groups
        linked = calls.filter(calls.user_id.isin(members.user_id)).select(
            group_id=calls.group_id.cast("string")
        )
        accounts = ibis.union(accounts, linked)
    return accounts.filter(accounts.group_id.notnull()).distinct()


def apply_segment(
    events: ir.Table,
    members: ir.Table,
    *,
    accounts: ir.Table | None = None,
) -> ir.Table:
    """Keep the events of the segment's users (or, given ``accounts``, of their accounts)."""
    if accounts is not None:
        return events.filter(events.group_id.isin(accounts.group_id))
    return events.filter(events.user_id.isin(members.user_id))


def property_values(
    sources: SegmentSources, source: Literal["user", "account"], key: str, limit: int
) -> ir.Table:
    """Return ``value, n``: the ``limit`` most common values of a user or account property.

    Users are counted among those with events; accounts among all accounts with a group call.
    """
    compiler = _Compiler(sources, date.today())  # noqa: DTZ011 - the day is not used here
    id_column = "user_id" if source == "user" else "group_id"
    latest = latest_property(compiler.traits(source), id_column, key)
    if source == "user":
        latest = latest.filter(latest.id.isin(compiler.universe.user_id))
    return (
        latest.group_by("value")
        .agg(n=ibis._.count())
        .order_by([ibis.desc("n"), "value"])
        .limit(limit)
    )
