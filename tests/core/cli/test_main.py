"""The `sentiment` command: every subcommand reaches the same `main()` as its `python -m` alias."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli.main import COMMANDS, main, target
from core.settings import REPO_ROOT


def sentiment(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the dispatcher as the console script does (`python -m core.cli.main` needs no install)."""
    return subprocess.run(
        [sys.executable, "-m", "core.cli.main", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_names_a_real_entry_point(name: str) -> None:
    assert callable(target(COMMANDS[name]))


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert listed == {*COMMANDS, "serve"}


def test_no_or_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["predcit"]) == 2
    assert "unknown command 'predcit'" in capsys.readouterr().err


def test_predict_matches_its_python_m_alias() -> None:
    texts = ["Great blender, quiet and strong.", "It broke after two days."]
    ours = sentiment("predict", *texts)
    alias = subprocess.run(
        [sys.executable, "-m", "core.predict", *texts], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert ours.returncode == alias.returncode == 0, ours.stderr
    assert ours.stdout == alias.stdout
    assert [json.loads(line)["label"] for line in ours.stdout.splitlines()] == ["positive", "negative"]


def test_crawl_passes_its_arguments_to_the_crawl_subcommand() -> None:
    # No URL: the crawl parser itself refuses (a crawl would need a server).
    result = sentiment("crawl")
    assert result.returncode == 2
    assert "the following arguments are required: URL" in result.stderr


def test_serve_hands_its_arguments_to_streamlit_run() -> None:
    result = sentiment("serve", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: streamlit run" in result.stdout


def test_the_installed_console_script_runs_the_dispatcher() -> None:
    script = Path(sys.executable).parent / "sentiment"
    if not script.exists():
        pytest.skip("the project is not installed in this venv (`pip install -e . --no-deps`, as make does)")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: sentiment COMMAND")
