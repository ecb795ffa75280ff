"""Fixtures of the analytics unit tests: a small generated event set as a DataFrame."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from producthq.analytics import metrics
from producthq.analytics.generator import GeneratorConfig, generate_events


@pytest.fixture(scope="session")
def generated() -> pd.DataFrame:
    """About 15k realistic events over 120 days (seeded), timestamps as naive UTC."""
    config = GeneratorConfig(events=40_000, start=date(2024, 1, 1), days=120, seed=11)
    df = generate_events(config).to_pandas()
    df["timestamp"] = df["timestamp"].astype("datetime64[us]")
    return df


@pytest.fixture
def fresh_templates() -> Iterator[None]:
    """Empty the metric template caches around a test that changes how templates are built
    (a monkeypatched threshold must not be hidden by a template compiled before it)."""
    metrics._template.cache_clear()
    metrics._template_sql.cache_clear()
    yield
    metrics._template.cache_clear()
    metrics._template_sql.cache_clear()
