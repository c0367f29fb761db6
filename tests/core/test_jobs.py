"""`core.jobs`: real child processes started, followed, cancelled; atomic JSON under concurrent readers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.jobs import BackgroundJob, StatusFile, read_json_object, write_json_atomic
from core.settings import REPO_ROOT


def start(tmp_path: Path, script: str) -> BackgroundJob:
    """A job running `script` (Python, dedented) with the status file's path as its argument."""
    status, log = tmp_path / "job.json", tmp_path / "job.log"
    command = [sys.executable, "-c", textwrap.dedent(script), str(status)]
    process = BackgroundJob.launch(
        command, status_path=status, log_path=log, first_status={"state": "running"}, cwd=REPO_ROOT
    )
    return BackgroundJob(process, status, log)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_job_reports_progress_and_its_end_through_the_status_file(tmp_path: Path) -> None:
    job = start(
        tmp_path,
        """
        import sys, time
        from core.jobs import StatusFile
        status = StatusFile(sys.argv[1], interval=0, state="running", step=0)
        for step in range(1, 4):
            print(f"step {step}", flush=True)
            status.update(step=step)
            time.sleep(0.2)
        print("oops", file=sys.stderr, flush=True)
        status.update(state="finished")
        """,
    )
    assert job.read_status() == {"state": "running"}  # written before the child starts
    assert job.wait_process(timeout=60) == 0
    assert job.exit_code == 0 and not job.cancelled
    assert job.read_status() == {"state": "finished", "step": 3}
    assert job.log_lines(2) == ["step 3", "oops"]  # stdout and stderr, in order, in one log
    assert job.log_lines(10) == ["step 1", "step 2", "step 3", "oops"]


def test_wait_gives_up_after_the_timeout(tmp_path: Path) -> None:
    job = start(tmp_path, "import time; time.sleep(60)")
    try:
        assert job.wait_process(timeout=0.2) is None
        assert job.exit_code is None
    finally:
        job.cancel(grace=5)


def test_cancel_stops_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    job = start(
        tmp_path,
        f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        time.sleep(60)
        """,
    )
    deadline = time.monotonic() + 30
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, job.log_lines(5)
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    job.cancel(grace=5)
    assert job.cancelled
    assert job.exit_code == -15  # SIGTERM was enough
    deadline = time.monotonic() + 10
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)


def test_cancel_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    job = start(
        tmp_path,
        f"""
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        open({str(ready)!r}, "w").close()
        time.sleep(60)
        """,
    )
    while not ready.exists():
        assert job.exit_code is None, job.log_lines(5)
        time.sleep(0.05)
    started = time.monotonic()
    job.cancel(grace=0.5)
    assert job.exit_code == -9
    assert time.monotonic() - started < 10


def test_cancel_after_the_end_and_an_attached_job_change_nothing(tmp_path: Path) -> None:
    job = start(tmp_path, "pass")
    job.wait_process(timeout=60)
    job.cancel()
    assert not job.cancelled and job.exit_code == 0
    attached = BackgroundJob(None, job.status_path, job.log_path)
    attached.cancel()
    assert attached.exit_code is None and attached.wait_process(0.1) is None
    assert attached.read_status() == {"state": "running"}


def test_status_and_log_read_before_anything_is_written(tmp_path: Path) -> None:
    job = BackgroundJob(None, tmp_path / "none.json", tmp_path / "none.log")
    assert job.read_status() == {} and job.log_lines(3) == []
    for text in ('{"state": "runn', "[1, 2]", ""):
        job.status_path.write_text(text, encoding="utf-8")
        assert read_json_object(job.status_path) == {}


def test_status_file_rewrites_at_most_every_interval_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    status = StatusFile(path, interval=60, state="running")
    assert status.update(step=1) is True  # the first write is never held back
    assert status.update(step=2) is False
    assert read_json_object(path) == {"state": "running", "step": 1}
    assert status.update(force=True, state="finished") is True
    assert read_json_object(path) == {"state": "finished", "step": 2}
    assert StatusFile(None).update(force=True, x=1) is False  # in memory only


def test_atomic_write_under_concurrent_readers(tmp_path: Path) -> None:
    """A writer process rewrites a large document as fast as it can; every read here is whole."""
    path = tmp_path / "big.json"
    write_json_atomic(path, {"n": -1, "rows": []})
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys
                from pathlib import Path
                from core.jobs import write_json_atomic
                for n in range(300):
                    write_json_atomic(Path(sys.argv[1]), {"n": n, "rows": [f"review {n} " * 20] * 500})
                """
            ),
            str(path),
        ],
        cwd=REPO_ROOT,
    )
    seen: set[int] = set()
    reads = 0
    try:
        while writer.poll() is None or reads == 0:
            data = json.loads(path.read_text(encoding="utf-8"))  # raises on half a document
            assert data["n"] == -1 or data["rows"] == [f"review {data['n']} " * 20] * 500
            seen.add(data["n"])
            reads += 1
    finally:
        writer.wait(timeout=120)
    assert writer.returncode == 0
    assert len(seen) > 2, "the reader never overlapped the writer"
    assert json.loads(path.read_text(encoding="utf-8"))["n"] == 299
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.json"]  # no temporary file left


def test_a_failed_atomic_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    write_json_atomic(path, {"ok": True})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert read_json_object(path) == {"ok": True}
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(OSError):
        write_json_atomic(tmp_path / "folder.json", {"x": 1})  # a folder in the way
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.json", "s.json"]


def test_non_json_values_use_the_default(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    write_json_atomic(path, {"where": Path("a/b"), "text": "café"}, default=str)
    assert path.read_text(encoding="utf-8") == '{"where": "a/b", "text": "café"}'
