"""docs/cli-reference.md is generated from the CLI itself (`make docs`) and kept current."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current(tmp_path: Path) -> None:
    out = tmp_path / "cli.md"
    typer_bin = Path(sys.executable).parent / "typer"
    subprocess.run(
        [
            str(typer_bin),
            "producthq.cli.main",
            "utils",
            "docs",
            "--name",
            "producthq",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    committed = (ROOT / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, "run `make docs` to regenerate"
