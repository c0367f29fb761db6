"""Import runs left ``running`` by a process that died (kill -9, out of memory, power loss).

Each run records the process that owns it (:func:`run_owner`: pid and host name). When a store is
opened (:func:`core.storage.engine.get_engine`), runs of this host whose process no longer exists, or
whose pid now belongs to a younger process, are marked ``failed`` with the reason. Runs of other hosts
are left alone: their processes cannot be checked from here.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC

import psutil
from sqlalchemy import Engine, select, update

from core.logs import log_event
from core.storage.schema import ImportRun, utcnow
from core.storage.transactions import write_transaction

_CLOCK_SLACK_S = 2.0  # started_at is written just after the process starts; allow clock rounding


def run_owner() -> dict[str, object]:
    """The columns that tie a run to this process."""
    return {"pid": os.getpid(), "host": socket.gethostname()[:255]}


def _alive(pid: int, started_at_epoch: float) -> bool:
    """Whether `pid` is still the process that started the run (not a later one reusing the pid)."""
    try:
        created = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    except psutil.AccessDenied:
        return True
    return created <= started_at_epoch + _CLOCK_SLACK_S


def fail_abandoned_runs(engine: Engine) -> list[int]:
    """Mark this host's ``running`` runs whose process is gone as ``failed``; return their ids."""
    host = socket.gethostname()[:255]
    query = select(ImportRun.id, ImportRun.pid, ImportRun.started_at).where(
        ImportRun.status == "running", ImportRun.host == host, ImportRun.pid.is_not(None)
    )
    with engine.connect() as conn:
        candidates = conn.execute(query).all()
    dead = [
        (run_id, pid)
        for run_id, pid, started in candidates
        if not _alive(pid, started.replace(tzinfo=UTC).timestamp())
    ]
    if not dead:
        return []
    now = utcnow()
    with write_transaction(engine) as conn:
        for run_id, pid in dead:
            reason = (
                f"The process that ran this import (pid {pid} on {host}) ended without finishing it "
                "(killed or crashed)."
            )
            conn.execute(
                update(ImportRun)
                .where(ImportRun.id == run_id, ImportRun.status == "running")
                .values(status="failed", finished_at=now, errors=[reason])
            )
    for run_id, pid in dead:
        log_event("import_abandoned", import_id=run_id, pid=pid, host=host)
    return [run_id for run_id, _ in dead]
