"""Background adaptation: a separate process, progress through a status file, cancel."""

from __future__ import annotations

import json
import time

from core.cli import predict
from core.inference import registry
from core.jobs import CANCELLED, FINISHED
from models.adapt.job import AdaptJob
from tests.models.adapt.conftest import MEDICATIONS


def test_a_background_run_finishes_and_reports_its_result(tmp_path, capsys):
    job = AdaptJob.start(csv=MEDICATIONS, text_column="review", rating_column="stars", jobs_dir=tmp_path,
                         extra_args=["--no-mix", "--epochs", "2", "--min-gain", "0.9"])  # fmt: skip
    status = job.wait(timeout=300)
    assert status.state == FINISHED, job.log_tail(20)
    # a 0.9 gain is out of reach: the version is written but refused (exit code 3)
    assert status.exit_code == 3 and status.progress == 1.0
    assert status.result["passed"] is False and status.message.startswith("REFUSED")
    assert status.class_counts == {"negative": 142, "neutral": 78, "positive": 180}
    version = status.result["version"]
    assert registry.is_model_dir(registry.get_settings().registry_dir / version)
    # any registry version can score by name, even one the gate refused (it just cannot be activated)
    assert predict.main(["--model", version, "It left me drowsy all day."]) == 0
    assert json.loads(capsys.readouterr().out)["model_version"] == version


def test_cancel_stops_the_run_and_leaves_no_version(tmp_path):
    before = {v.name for v in registry.list_versions()}
    job = AdaptJob.start(csv=MEDICATIONS, text_column="review", rating_column="stars", jobs_dir=tmp_path,
                         extra_args=["--no-mix"])  # fmt: skip
    time.sleep(1.0)  # the process is importing torch: a whole run takes several seconds more
    job.cancel()
    status = job.status()
    assert status.state == CANCELLED and status.done
    assert {v.name for v in registry.list_versions()} == before
