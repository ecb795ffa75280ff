"""Fixtures of the analytics unit tests: a small generated event set as a DataFrame."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from producthq.analytics.generator import GeneratorConfig, generate_events


@pytest.fixture(scope="session")
def generated() -> pd.DataFrame:
    """About 15k realistic events over 120 days (seeded), timestamps as naive UTC."""
    config = GeneratorConfig(events=40_000, start=date(2024, 1, 1), days=120, seed=11)
    df = generate_events(config).to_pandas()
    df["timestamp"] = df["timestamp"].astype("datetime64[us]")
    return df
