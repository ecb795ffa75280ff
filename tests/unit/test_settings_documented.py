"""Every setting is documented in docs/configuration.md, and nothing documented is stale."""

import re
from pathlib import Path

from producthq.settings import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`(PRODUCTHQ_[A-Z_]+)`", text))
    fields = {f"PRODUCTHQ_{name.upper()}" for name in Settings.model_fields}
    assert fields - documented == set(), "undocumented settings"
    assert documented - fields == set(), "documented settings that do not exist"
