"""``producthq frameworks …``, ``producthq kano …`` and ``prioritize --framework <user>``."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from producthq.cli.main import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PRODUCTHQ_WORKSPACE", "PRODUCTHQ_QUEUE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PRODUCTHQ_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PRODUCTHQ_DATABASE_URL", db_url)
    assert run("init")[0] == 0
    code, _, err = run(
        "user", "create", "--email", "ann@acme.test", "--name", "Ann", "--password", "long password"
    )
    assert code == 0, err
    assert run("workspace", "create", "acme", "--owner", "ann@acme.test")[0] == 0


def test_frameworks_add_list_rank_and_remove(env: None, tmp_path: Path) -> None:
    code, _, err = run(
        "frameworks", "add", "growth", "--title", "Growth",
        "--criterion", "value=3", "--cost", "effort=1", "--formula", "w_value * value / effort",
    )  # fmt: skip
    assert code == 0, err
    assert "framework growth: w_value * value / effort" in err
    code, out, _ = run("frameworks", "list", "--format", "json")
    rows = {r["slug"]: r for r in json.loads(out)}
    assert rows["growth"]["kind"] == "user" and rows["growth"]["inputs"] == "value, effort"
    assert rows["opportunity"]["from_evidence"] == "demand, momentum"
    # A feature without growth estimates is listed as not scored.
    csv_path = tmp_path / "f.csv"
    csv_path.write_text("title\nSSO\n", encoding="utf-8")
    assert run("features", "import", str(csv_path))[0] == 0
    code, out, err = run("prioritize", "--framework", "growth", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == []
    # File mode finds the workspace's framework too: 3 * 4 / 2 = 6.
    scores = tmp_path / "s.csv"
    scores.write_text("name,value,effort\nA,4,2\n", encoding="utf-8")
    code, out, err = run("prioritize", str(scores), "--framework", "growth", "--format", "json")
    assert code == 0, err
    assert json.loads(out)[0]["score"] == 6.0
    code, _, err = run("frameworks", "add", "growth", "--criterion", "value=1")
    assert code == 2 and "already exists" in err
    assert run("frameworks", "add", "growth", "--criterion", "value=1", "--replace")[0] == 0
    assert run("frameworks", "remove", "growth")[0] == 0
    code, _, err = run("frameworks", "remove", "growth")
    assert code == 2 and "no user-defined framework 'growth'" in err


def test_frameworks_add_points_at_the_formula_error(env: None) -> None:
    code, _, err = run(
        "frameworks", "add", "growth", "--criterion", "value=3", "--formula", "w_value * valeu"
    )
    assert code == 2
    assert "formula column 11: unknown name 'valeu'" in err
    assert "w_value * valeu\n          ^" in err
    code, _, err = run("frameworks", "add", "Bad", "--criterion", "value=3")
    assert code == 2 and "slug" in err


def test_kano_import_then_show(env: None, tmp_path: Path) -> None:
    csv_path = tmp_path / "f.csv"
    csv_path.write_text("title\nSSO\n", encoding="utf-8")
    assert run("features", "import", str(csv_path))[0] == 0
    answers = tmp_path / "k.csv"
    answers.write_text(
        "respondent,functional,dysfunctional\nA,like,dislike\nB,like,neutral\nC,like,tolerate\n",
        encoding="utf-8",
    )
    code, _, err = run("kano", "import", str(answers), "--feature", "1")
    assert code == 0, err
    assert "imported 3 Kano answers on 1 feature(s)" in err
    code, out, _ = run("kano", "show", "1", "--format", "json")
    # O 1, A 2: category attractive; better 3/3 = 1, worse -1/3.
    row = json.loads(out)[0]
    assert (row["category"], row["better"], row["worse"]) == ("attractive", 1.0, -0.3333)
    answers.write_text("respondent,functional,dysfunctional\nD,like,sometimes\n", encoding="utf-8")
    code, _, err = run("kano", "import", str(answers), "--feature", "1")
    assert code == 2 and "kano.csv, 2, dysfunctional" in err
