"""Featurise many texts on every core: worker processes turn texts into sentence bags, in order.

Featurising (:meth:`core.nlp.features.Featurizer.encode`, pure Python tokenising) is most of the cost of
scoring a large upload; the bag model itself takes milliseconds. A :class:`FeaturizePool` splits
texts into chunks, featurises them in worker processes and yields the results in input order, so
the caller scores each chunk (:meth:`core.inference.predictor.Predictor.proba_from_encoded`) as it arrives::

    with FeaturizePool(predictor.featurizer) as pool:  # workers start now (a quarter of a second)
        ...                                            # do something else meanwhile
        for chunk in pool.encode(texts):               # the first chunks are sent at once
            probs, _ = predictor.proba_from_encoded(chunk.encoded)  # a row per chunk.rows

Design:

* Workers are fresh interpreters (``python -m core.inference.pool``), never forks: the caller may be a
  threaded server (Streamlit). Not multiprocessing's ``spawn`` either: it re-runs the parent's main
  script in every worker, and under Streamlit that script is the app itself. A worker imports only
  this module, :mod:`core.nlp.features` and :mod:`core.nlp.text` (no torch, no streamlit), reads texts as
  pickles on its stdin and writes features to its stdout.
* One worker, or fewer than `min_parallel` valid texts, means featurising in the calling process:
  starting processes would cost more than it saves. `FeaturizePool(f, workers=1)` starts none.
* Memory is bounded: chunk i goes to worker i mod n, and the pipes hold about one chunk each way.
* A failure never hangs: an exception raised while featurising is re-raised in the caller as it was
  (the worker's traceback added as a note), and a worker that dies (killed, out of memory) raises
  :class:`FeaturizeError`. Leaving the ``with`` block, or :meth:`FeaturizePool.close`, stops the workers.
* Only valid texts are featurised (non-blank strings, as :func:`core.inference.predictor.unscorable_reason`
  accepts); each chunk says which of its inputs they were, so the caller marks the others unscorable.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np

from core.inference.predictor import unscorable_reason
from core.logs import log_event
from core.nlp.features import Encoded, FeatureConfig, Featurizer

CHUNK = 4096  # texts per task: one result each, about 1 MB of ids
MIN_PARALLEL = 5000  # fewer valid texts than this are featurised in the calling process
MAX_WORKERS = 4  # featurising scales with cores; beyond a few, pickling the texts dominates
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `core`: the workers' cwd
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class FeaturizeError(RuntimeError):
    """A featurising worker process stopped without finishing its chunk."""


@dataclass(frozen=True)
class EncodedChunk:
    """The features of one chunk of the input, in :meth:`Featurizer.encode` form.

    :ivar start: index of the chunk's first input text.
    :ivar stop: one past the index of its last input text.
    :ivar rows: indices (into the whole input) of its valid texts, in order; `encoded` holds one text
        per row (its sentence bags), so `encoded.doc_offsets` has `len(rows)` entries.
    """

    start: int
    stop: int
    rows: np.ndarray  # (valid,) int64
    encoded: Encoded


def default_workers() -> int:
    """Worker processes to use: the cores this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def valid_rows(texts: Sequence[object], start: int = 0, stop: int | None = None) -> np.ndarray:
    """Indices in `[start, stop)` of the texts that are featurised: those the predictor can score
    (:func:`core.inference.predictor.unscorable_reason` is None: strings with a non-blank character)."""
    stop = len(texts) if stop is None else stop
    return np.array([i for i in range(start, stop) if unscorable_reason(texts[i]) is None], dtype=np.int64)


class ChunkStream:
    """The chunks of one :meth:`FeaturizePool.encode` call, in input order (iterate once)."""

    def __init__(self, chunks: Iterator[EncodedChunk], workers: int) -> None:
        self._chunks = chunks
        self.workers = workers  # processes featurising this input (1: the calling process)

    def __iter__(self) -> Iterator[EncodedChunk]:
        return self._chunks


class FeaturizePool:
    """Worker processes that featurise with one :class:`Featurizer`'s config; reusable for many inputs
    (one at a time).

    :param featurizer: the model's featurizer; workers rebuild it from its config, and it featurises
        small inputs here.
    :param workers: processes to start (default :func:`default_workers`); 1 or less starts none.
    """

    def __init__(self, featurizer: Featurizer, *, workers: int | None = None) -> None:
        self.featurizer = featurizer
        self.workers = default_workers() if workers is None else max(1, workers)
        self._procs: list[subprocess.Popen[bytes]] = []
        self._config_file: Path | None = None
        if self.workers > 1:
            try:
                self._start()
            except OSError as exc:  # no processes or temporary files here: featurise in this process
                log_event("featurize_pool_unavailable", error=f"{type(exc).__name__}: {exc}")
                self.close()
                self.workers = 1

    def _start(self) -> None:
        fd, name = tempfile.mkstemp(prefix="features-", suffix=".json")  # private to this user
        self._config_file = Path(name)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.featurizer.config.to_json())  # the same plain JSON as features.json
        for _ in range(self.workers):
            self._procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "core.inference.pool", name],
                    cwd=_ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )  # stderr is inherited: a worker's own errors show in the app's log
            )

    def __enter__(self) -> FeaturizePool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (work not done is dropped); safe to call twice."""
        procs, self._procs = self._procs, []
        for proc in procs:
            proc.kill()  # featurising has no side effects: nothing to finish cleanly
        for proc in procs:
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # a write into the dead process was pending
                        pipe.close()
        if self._config_file is not None:
            self._config_file.unlink(missing_ok=True)
            self._config_file = None

    def encode(
        self, texts: Sequence[object], *, chunk_size: int = CHUNK, min_parallel: int = MIN_PARALLEL
    ) -> ChunkStream:
        """Featurise `texts` chunk by chunk; the first chunks are sent to the workers at once.

        :param texts: anything; only valid texts (:func:`valid_rows`) are featurised.
        :param chunk_size: input texts per chunk.
        :param min_parallel: fewer valid texts than this are featurised in this process.
        :raises FeaturizeError: (while iterating) a worker process died; the pool is closed.
        """
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
        bounds = [(a, min(a + chunk_size, len(texts))) for a in range(0, len(texts), chunk_size)]
        rows = [valid_rows(texts, a, b) for a, b in bounds]
        parallel = bool(self._procs) and len(bounds) > 1 and sum(map(len, rows)) >= min_parallel
        if not parallel:
            return ChunkStream(self._inline(texts, bounds, rows), 1)
        procs = list(self._procs)
        for k, proc in enumerate(procs):  # one feeder per worker: a full pipe blocks only its thread
            assert proc.stdin is not None
            tasks = [[texts[i] for i in rows[c]] for c in range(k, len(rows), len(procs))]
            threading.Thread(
                target=_feed, args=(proc.stdin, tasks), name="featurize-feed", daemon=True
            ).start()
        return ChunkStream(self._collect(bounds, rows, procs), len(procs))

    def _inline(
        self, texts: Sequence[object], bounds: list[tuple[int, int]], rows: list[np.ndarray]
    ) -> Iterator[EncodedChunk]:
        for (start, stop), chunk_rows in zip(bounds, rows, strict=True):
            encoded = self.featurizer.encode([texts[i] for i in chunk_rows])
            yield EncodedChunk(start, stop, chunk_rows, encoded)

    def _collect(
        self, bounds: list[tuple[int, int]], rows: list[np.ndarray], procs: list[subprocess.Popen[bytes]]
    ) -> Iterator[EncodedChunk]:
        for c, ((start, stop), chunk_rows) in enumerate(zip(bounds, rows, strict=True)):
            proc = procs[c % len(procs)]
            try:
                reply = _receive(proc)
            except BaseException:
                self.close()
                raise
            if reply[0] == "error":
                self.close()
                _, exc, remote = reply
                exc.add_note(f"Raised in a featurising worker process:\n{remote}")
                raise exc
            _, ids, sent_offsets, doc_offsets = reply
            yield EncodedChunk(start, stop, chunk_rows, Encoded(ids, sent_offsets, doc_offsets))


def _feed(stdin: IO[bytes], tasks: list[list[object]]) -> None:
    """Write one worker's tasks; stops quietly when the worker is gone (the reader reports why)."""
    try:
        for task in tasks:
            pickle.dump(task, stdin, protocol=_PROTOCOL)
            stdin.flush()
    except (OSError, ValueError):  # broken pipe, or closed by FeaturizePool.close
        pass


def _receive(proc: subprocess.Popen[bytes]) -> tuple[Any, ...]:
    """The worker's next reply; :class:`FeaturizeError` when it died instead of answering."""
    assert proc.stdout is not None
    try:
        return pickle.load(proc.stdout)  # our own child process, through a private pipe
    except Exception as exc:  # EOF, a broken pipe, or a reply this process cannot unpickle
        code = proc.poll()
        if code is None:
            proc.kill()
            code = proc.wait()
        raise FeaturizeError(
            f"A featurising worker process stopped unexpectedly (exit status {code}: killed, or out "
            "of memory?), so nothing was scored. Try again, or with fewer rows at a time."
        ) from exc


# --- in the worker processes ---------------------------------------------------------------------


def _worker_main(config_file: str) -> None:
    """Read lists of texts from stdin until it closes; answer each with its features on stdout."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print() must not corrupt the replies
    featurizer = Featurizer(FeatureConfig.load(Path(config_file)))
    source = sys.stdin.buffer
    while True:
        try:
            texts = pickle.load(source)  # from our parent, through a private pipe
        except EOFError:
            return  # the parent closed the pipe: done
        try:
            reply: tuple[Any, ...] = ("ok", *featurizer.encode(texts))  # plain arrays pickle fastest
        except Exception as exc:
            reply = ("error", _portable(exc), traceback.format_exc())
        pickle.dump(reply, out, protocol=_PROTOCOL)
        out.flush()


def _portable(exc: Exception) -> Exception:
    """`exc` if it survives pickling (the caller gets the same type and message), else a stand-in."""
    try:
        pickle.loads(pickle.dumps(exc))  # our own bytes
    except Exception:
        return FeaturizeError(f"{type(exc).__name__}: {exc}")
    return exc


if __name__ == "__main__":
    _worker_main(sys.argv[1])
