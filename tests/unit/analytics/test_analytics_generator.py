"""The synthetic SaaS event generator: deterministic, canonical, realistic in shape."""

from __future__ import annotations

import json

import pyarrow.compute as pc

from producthq.analytics.generator import SCHEMA, GeneratorConfig, generate_events


def test_same_seed_same_events() -> None:
    config = GeneratorConfig(events=5_000, days=60, seed=5)
    assert generate_events(config).equals(generate_events(config))


def test_different_seed_different_events() -> None:
    a = generate_events(GeneratorConfig(events=5_000, days=60, seed=5))
    b = generate_events(GeneratorConfig(events=5_000, days=60, seed=6))
    assert not a.equals(b)


def test_schema_and_shape() -> None:
    table = generate_events(GeneratorConfig(events=20_000, days=90, seed=1))
    assert table.schema == SCHEMA
    names = set(pc.unique(table["event"]).to_pylist())
    assert {"signup", "subscription_started", "subscription_cancelled"} <= names
    # Every user signs up exactly once.
    signups = table.filter(pc.equal(table["event"], "signup"))
    assert signups.num_rows == len(pc.unique(table["user_id"]))
    # Subscription events carry a numeric mrr; others carry no properties.
    subs = table.filter(pc.starts_with(table["event"], "subscription_"))
    assert all(isinstance(json.loads(p)["mrr"], float) for p in subs["properties"].to_pylist())
    assert len(pc.unique(table["message_id"])) == table.num_rows


def test_event_count_is_near_the_target() -> None:
    table = generate_events(GeneratorConfig(events=100_000, days=365, seed=3))
    assert 50_000 < table.num_rows < 200_000


def test_signups_grow() -> None:
    table = generate_events(GeneratorConfig(events=50_000, days=365, seed=4, growth=4.0))
    signups = table.filter(pc.equal(table["event"], "signup"))["timestamp"].to_pandas()
    first_q = (signups < signups.min() + (signups.max() - signups.min()) / 4).sum()
    last_q = (signups > signups.max() - (signups.max() - signups.min()) / 4).sum()
    assert last_q > 2 * first_q
