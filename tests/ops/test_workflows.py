"""The GitHub Actions workflows are valid, and ci.yml runs the same checks as `.ci/run`.

Validation: check-jsonschema with its vendored copy of SchemaStore's GitHub-workflow schema (works offline;
actionlint needs Go or a third-party binary here), plus the checks below that a schema cannot express:
step-output references, `needs`, action pinning, and `bash -n` on every `run:` script.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.settings import REPO_ROOT

WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


def load(path: Path) -> dict[str, Any]:
    """A workflow as a dict; PyYAML reads the `on:` key as True, so it is put back under "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def workflow(name: str) -> dict[str, Any]:
    return load(REPO_ROOT / ".github" / "workflows" / name)


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess[str]:
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    command = str(beside_python) if beside_python.exists() else shutil.which("check-jsonschema")
    if command is None:
        pytest.fail("check-jsonschema is not installed: `pip install -r requirements-dev.txt`")
    return subprocess.run(
        [command, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_both_workflows_exist() -> None:
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "release.yml"}


def test_workflows_match_the_github_schema() -> None:
    result = check_jsonschema(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "text",
    [
        # an unknown event
        "on: pusj\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
        # a number that is not a number
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout-minutes: ten\n"
        "    steps:\n      - run: echo\n",
    ],
)
def test_schema_check_rejects_a_broken_workflow(text: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(text, encoding="utf-8")
    assert check_jsonschema(broken).returncode != 0


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_major_version(path: Path) -> None:
    for job in load(path)["jobs"].values():
        uses = [step["uses"] for step in steps_of(job) if "uses" in step]
        if "uses" in job:
            uses.append(job["uses"])
        for action in uses:
            if action.startswith("./"):
                continue
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+|[0-9a-f]{40})", action), action


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_step_outputs_and_needs_refer_to_existing_ids(path: Path) -> None:
    jobs = load(path)["jobs"]
    for name, job in jobs.items():
        needs = job.get("needs", [])
        for needed in [needs] if isinstance(needs, str) else needs:
            assert needed in jobs, f"{name} needs unknown job {needed}"
        ids = {step["id"] for step in steps_of(job) if "id" in step}
        text = yaml.safe_dump(job)
        for expression in EXPRESSION.findall(text):
            for step_id in re.findall(r"steps\.([\w-]+)\.", expression):
                assert step_id in ids, f"{path.name}: job {name} refers to unknown step id {step_id}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_local_reusable_workflows_exist_and_are_callable(path: Path) -> None:
    for job in load(path)["jobs"].values():
        target = job.get("uses", "")
        if target.startswith("./"):
            called = load(REPO_ROOT / target)
            assert "workflow_call" in called["on"], f"{target} has no workflow_call trigger"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_run_scripts_are_valid_bash(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        for step in steps_of(job):
            if "run" not in step:
                continue
            script = EXPRESSION.sub("placeholder", step["run"])
            result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30)
            assert result.returncode == 0, f"{path.name}: {name} / {step.get('name', '?')}: {result.stderr}"


# --- ci.yml and .ci/run run the same checks ---------------------------------------------------------------


def run_commands(job: dict[str, Any]) -> list[str]:
    return [line.strip() for step in steps_of(job) for line in step.get("run", "").splitlines()]


def test_ci_runs_make_test_like_ci_run() -> None:
    ci_run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci_run, re.MULTILINE), ".ci/run no longer ends in `make test`"
    commands = run_commands(workflow("ci.yml")["jobs"]["test"])
    assert any(re.fullmatch(r"make test( PYTHON=\S+)?", command) for command in commands)


def test_make_test_runs_ruff_and_pytest() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    for command in ("ruff check .", "ruff format --check .", "pytest"):
        assert command in recipe, f"`make test` no longer runs {command}"


def test_ci_has_postgres_15_with_a_health_check() -> None:
    job = workflow("ci.yml")["jobs"]["test"]
    postgres = job["services"]["postgres"]
    assert postgres["image"].split(":")[1].startswith("15")
    assert "--health-cmd" in postgres["options"]
    env = postgres["env"]
    url = job["env"]["SENTIMENT_TEST_PG_URL"]
    expected = f"postgresql+psycopg://{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@localhost:5432/"
    assert url == expected + env["POSTGRES_DB"]


def test_ci_uploads_the_screenshots() -> None:
    steps = steps_of(workflow("ci.yml")["jobs"]["test"])
    uploads = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert uploads and uploads[0]["with"]["path"] == "artifacts/screenshots"


def test_ci_gets_torch_from_the_cpu_index() -> None:
    commands = " ".join(run_commands(workflow("ci.yml")["jobs"]["test"]))
    assert "--index-url https://download.pytorch.org/whl/cpu" in commands


# --- release.yml ------------------------------------------------------------------------------------------


def test_release_runs_on_version_tags_after_the_tests() -> None:
    release = workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v*"]}}
    assert release["jobs"]["test"]["uses"] == "./.github/workflows/ci.yml"
    assert release["jobs"]["image"]["needs"] == "test"


def test_release_builds_with_the_github_actions_cache() -> None:
    steps = steps_of(workflow("release.yml")["jobs"]["image"])
    builds = [step for step in steps if step.get("uses", "").startswith("docker/build-push-action@")]
    assert len(builds) == 2
    assert all(build["with"]["cache-from"] == "type=gha" for build in builds)
    assert builds[0]["with"]["cache-to"] == "type=gha,mode=max"
    assert builds[1]["with"]["push"] is True


def test_release_deploys_the_pushed_digest_with_the_database_secret() -> None:
    job = workflow("release.yml")["jobs"]["image"]
    assert job["permissions"]["id-token"] == "write"
    (deploy,) = [step for step in steps_of(job) if "gcloud run deploy" in step.get("run", "")]
    script = deploy["run"]
    for flag in (
        '--image "$IMAGE@$DIGEST"',
        "--port 8501",
        "--memory 2Gi",
        "--cpu 2",
        "--concurrency",
        "--add-cloudsql-instances",
        '--set-secrets "SENTIMENT_DB_URL=',
    ):
        assert flag in script, flag
    assert deploy["env"]["DIGEST"] == "${{ steps.push.outputs.digest }}"
