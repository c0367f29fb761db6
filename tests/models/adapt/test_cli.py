"""The CLI contract: `python -m models.adapt` exit codes and printed verdict; `core.predict --model`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

from core.cli import predict
from core.inference import registry
from core.settings import REPO_ROOT
from models.adapt.cli import main
from tests.models.adapt.conftest import MEDICATIONS


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


def test_cli_adapts_prints_the_comparison_and_verdict_then_predict_scores_with_that_version(tmp_path):
    out, status = tmp_path / "med-v1", tmp_path / "status.json"
    done = _run("-m", "models.adapt", "--csv", str(MEDICATIONS), "--text-column", "review",
                "--rating-column", "stars", "--out", str(out), "--no-mix", "--seed", "13",
                "--status-file", str(status))  # fmt: skip
    assert done.returncode == 0, done.stderr
    state = json.loads(status.read_text())
    assert state["state"] == "finished" and state["progress"] == 1.0 and state["result"]["passed"] is True
    assert "Class counts: negative 142, neutral 78, positive 180" in done.stdout
    assert "macro-F1" in done.stdout and "confusion (adapted" in done.stdout
    verdict = [line for line in done.stdout.splitlines() if line.startswith(("PASSED", "REFUSED"))]
    assert len(verdict) == 1 and verdict[0].startswith("PASSED: adapted macro-F1")
    assert registry.is_model_dir(out)

    scored = _run(
        "-m", "core.predict", "--model", str(out), "It left me drowsy all day.", "I finally got relief."
    )
    assert scored.returncode == 0, scored.stderr
    bad, good = (json.loads(line) for line in scored.stdout.splitlines())
    assert (bad["label"], good["label"]) == ("negative", "positive")
    assert bad["model_version"] == good["model_version"] == "med-v1"


def test_cli_refuses_insufficient_data_with_exit_code_2_and_the_reason(tmp_path, capsys):
    rows = list(csv.DictReader(MEDICATIONS.open(encoding="utf-8")))[:120]
    small = tmp_path / "small.csv"
    with small.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code = main(["--csv", str(small), "--text-column", "review", "--rating-column", "stars",
                       "--out", str(tmp_path / "never")])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 2
    assert "Class counts: negative 50, neutral 24, positive 46" in printed.out
    assert "Not enough rated reviews to adapt fairly: 120 rated reviews (need at least 200)" in printed.err
    assert not (tmp_path / "never").exists()


def test_cli_names_a_missing_column(tmp_path, capsys):
    code = main(["--csv", str(MEDICATIONS), "--text-column", "review", "--rating-column", "score",
                       "--out", str(tmp_path / "never")])  # fmt: skip
    assert code == 2
    assert "Column 'score' not found" in capsys.readouterr().err


def test_predict_with_an_unknown_version_is_a_clear_error(capsys):
    assert predict.main(["--model", "adapted-does-not-exist", "fine"]) == 2
    assert "adapted-does-not-exist" in capsys.readouterr().err
