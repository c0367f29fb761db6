"""The Dockerfile passes hadolint, the build context holds only the app, entrypoint and healthcheck work.

No Docker engine runs here or in CI's test job, so the image itself is built only by the release workflow;
these tests check everything that can be checked without one, for real: hadolint's verdict, Docker's own
`.dockerignore` matching rules applied to the repository's paths, and the entrypoint and HEALTHCHECK command
run against a real Streamlit server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
ENTRYPOINT = REPO_ROOT / "docker" / "entrypoint.sh"


def tool(name: str) -> str:
    """A command-line tool installed in this venv (from requirements-dev.txt), else on PATH."""
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: `pip install -r requirements-dev.txt`")
    return found


# --- hadolint ---------------------------------------------------------------------------------------------


def hadolint(path: Path) -> list[dict[str, object]]:
    """hadolint's findings for one Dockerfile (every level, including style and info)."""
    result = subprocess.run(
        [tool("hadolint"), "--no-color", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Exit 1 means "found something", which the JSON lists; anything else is hadolint failing to run.
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout or "[]")
    assert result.returncode == (1 if findings else 0)
    return findings


def test_hadolint_finds_nothing() -> None:
    findings = hadolint(DOCKERFILE)
    assert findings == [], "\n".join(f"line {f['line']}: {f['code']} {f['message']}" for f in findings)


def test_hadolint_does_report_problems(tmp_path: Path) -> None:
    # Guards the test above against a hadolint that runs but checks nothing.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install streamlit\n", encoding="utf-8")
    codes = {finding["code"] for finding in hadolint(bad)}
    assert {"DL3007", "DL3013"} <= codes


# --- Dockerfile instructions ------------------------------------------------------------------------------


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    result = []
    for text in logical:
        keyword, _, rest = text.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def copy_sources() -> list[str]:
    """Sources of the COPY instructions that read the build context (not `--from=` another stage)."""
    sources: list[str] = []
    for keyword, rest in instructions():
        if keyword != "COPY" or "--from=" in rest:
            continue
        words = [word for word in rest.split() if not word.startswith("--")]
        sources.extend(words[:-1])
    return sources


def test_base_image_is_pinned_to_a_patch_release() -> None:
    args = {
        rest.split("=", 1)[0]: rest.split("=", 1)[1] for keyword, rest in instructions() if keyword == "ARG"
    }
    image = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", image), image
    froms = [rest for keyword, rest in instructions() if keyword == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE} AS runtime"]


def test_torch_comes_from_the_cpu_index_at_the_pinned_version() -> None:
    pinned = re.search(r"^torch==(\S+)$", (REPO_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned is not None
    args = dict(rest.split("=", 1) for keyword, rest in instructions() if keyword == "ARG" and "=" in rest)
    assert args["TORCH_VERSION"] == pinned.group(1)
    runs = " ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    assert "--index-url https://download.pytorch.org/whl/cpu" in runs


def test_runtime_stage_runs_as_a_non_root_user() -> None:
    runtime = instructions()[[rest for _, rest in instructions()].index("${PYTHON_IMAGE} AS runtime") :]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert any(keyword == "HEALTHCHECK" and "/_stcore/health" in rest for keyword, rest in runtime)


def test_no_test_files_or_training_data_are_copied() -> None:
    for source in copy_sources():
        top = source.strip("/").split("/")[0]
        assert top not in {".", "tests", "data", "bench", "docs"}, source
        assert not source.startswith("models/corpora"), source


# --- .dockerignore, with Docker's matching rules ----------------------------------------------------------


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore pattern (Go filepath.Match plus `**`) as a regular expression."""
    out = ""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif char == "*":
            out += "[^/]*"
            i += 1
        elif char == "?":
            out += "[^/]"
            i += 1
        elif char == "[":
            end = pattern.index("]", i)
            out += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
            i = end + 1
        else:
            out += re.escape(char)
            i += 1
    return re.compile(out)


def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(is_exception, regex) per .dockerignore line, in order."""
    rules = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        rules.append((exception, pattern_regex(pattern)))
    return rules


def in_context(path: str) -> bool:
    """Whether Docker sends `path` (relative, `/`-separated) to the build: the last matching rule decides,
    and a rule matching a parent folder matches everything inside it."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for exception, regex in ignore_rules():
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not exception
    return not excluded


@pytest.mark.parametrize(
    "path",
    [
        "tests/conftest.py",
        "tests/ops/test_dockerfile.py",
        "scraping/tests/test_guard.py",
        "models/corpora/imdb/train.csv",
        "data/reviews.sqlite",
        "data/model_registry/v2/sentiment.pt",
        ".venv/bin/python",
        ".git/HEAD",
        ".github/workflows/ci.yml",
        "artifacts/screenshots/overview.png",
        "bench/out/results.json",
        "docs/architecture.md",
        ".env",
        ".env.example",
        ".streamlit/secrets.toml",
        "core/nlp/__pycache__/text.cpython-311.pyc",
        ".pytest_cache/v/cache/lastfailed",
        ".ruff_cache/CACHEDIR.TAG",
        ".hypothesis/examples/x",
        "requirements-dev.txt",
        "Makefile",
    ],
)
def test_kept_out_of_the_build_context(path: str) -> None:
    assert not in_context(path)


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "core/settings.py",
        "core/nlp/nltk_data/corpora/stopwords/english",
        "dashboard/app.py",
        "dashboard/views/overview.py",
        "models/base/sentiment.pt",
        "models/base/model_card.json",
        "models/base/features.json",
        "scraping/settings.py",
        ".streamlit/config.toml",
        "docker/entrypoint.sh",
    ],
)
def test_sent_to_the_build(path: str) -> None:
    assert in_context(path)


@pytest.mark.parametrize("source", copy_sources())
def test_every_copy_source_exists_and_is_in_the_context(source: str) -> None:
    # Catches a COPY of a folder git does not keep (empty) and an allowlist line missing from .dockerignore.
    path = REPO_ROOT / source
    assert path.exists(), f"COPY {source}: not in the repository"
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    shipped = [p for p in files if in_context(p.relative_to(REPO_ROOT).as_posix())]
    assert shipped, f"COPY {source}: nothing of it is in the build context"


def test_allowlist_has_no_stale_entries() -> None:
    sources = [source.strip("/") for source in copy_sources()]
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        if raw.startswith("!"):
            allowed = raw[1:].strip().strip("/")
            assert any(s == allowed or s.startswith(allowed + "/") for s in sources), (
                f"{raw}: nothing copies it"
            )


# --- entrypoint and healthcheck ---------------------------------------------------------------------------


def recorded_streamlit_args(tmp_path: Path, env: dict[str, str], *extra: str) -> list[str]:
    """Run the entrypoint with a stand-in `streamlit` that records its arguments, one per line."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    record = tmp_path / "args.txt"
    fake = bin_dir / "streamlit"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{record}"\n', encoding="utf-8")
    fake.chmod(0o755)
    base = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin"}
    subprocess.run(["sh", str(ENTRYPOINT), *extra], env={**base, **env}, check=True, timeout=30)
    return record.read_text(encoding="utf-8").splitlines()


def test_entrypoint_uses_port_from_environment(tmp_path: Path) -> None:
    args = recorded_streamlit_args(tmp_path, {"PORT": "9123"})
    assert args[:2] == ["run", "dashboard/app.py"]
    assert "--server.port=9123" in args
    assert "--server.address=0.0.0.0" in args
    assert "--server.headless=true" in args


def test_entrypoint_defaults_and_passes_extra_arguments(tmp_path: Path) -> None:
    args = recorded_streamlit_args(tmp_path, {"SENTIMENT_MAX_UPLOAD_MB": "50"}, "--logger.level=debug")
    assert "--server.port=8501" in args
    assert "--server.maxUploadSize=53" in args  # 50 MiB in decimal MB, rounded up
    assert args[-1] == "--logger.level=debug"


def healthcheck_command() -> str:
    """The shell command of the Dockerfile's HEALTHCHECK."""
    (rest,) = [rest for keyword, rest in instructions() if keyword == "HEALTHCHECK"]
    return rest.split(" CMD ", 1)[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_healthcheck_passes_on_a_running_server_and_fails_without_one(tmp_path: Path) -> None:
    # A minimal app in the layout the entrypoint expects, served by the real Streamlit through the entrypoint.
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "app.py").write_text(
        'import streamlit as st\n\nst.write("ok")\n', encoding="utf-8"
    )
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PORT": str(port),
        "HOME": str(tmp_path),
    }
    check = ["sh", "-c", healthcheck_command()]

    down = subprocess.run(check, env={**env, "PORT": str(free_port())}, capture_output=True, timeout=30)
    assert down.returncode != 0

    server = subprocess.Popen(
        ["sh", str(ENTRYPOINT)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        healthy = False
        while time.monotonic() < deadline and server.poll() is None:
            if subprocess.run(check, env=env, capture_output=True, timeout=30).returncode == 0:
                healthy = True
                break
            time.sleep(1)
        assert healthy, f"no healthy server on port {port}"
        # exec in the entrypoint: the SIGTERM a container runtime sends reaches Streamlit itself.
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) is not None
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
