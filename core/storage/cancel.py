"""SIGINT (Ctrl+C) and SIGTERM during an import: end promptly, but never inside a database write.

Python delivers a signal as an exception wherever the main thread happens to be. Inside a database
driver call that leaves the transaction open and its connection unusable: on SQLite the write lock is
held until the process exits, so recording the import as cancelled then waits for the lock it holds
itself. :func:`cancel_on_signals` turns both signals into :class:`Cancelled`, raised at once outside
write transactions and deferred inside them (:func:`signals_deferred`, entered by
:func:`core.storage.engine.write_transaction`) to the next :func:`raise_if_cancelled` or the
transaction's end, so the transaction rolls back normally.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_HANDLED = (signal.SIGINT, signal.SIGTERM)
_deferring = 0  # nesting depth of write transactions in this process
_pending: int | None = None  # a signal that arrived while deferring
_received: int | None = None  # the last signal handled in this process's current cancellable block


class Cancelled(KeyboardInterrupt):
    """The import was stopped by SIGINT or SIGTERM; a KeyboardInterrupt, so only the top level
    catches it (import runs record it as ``cancelled``)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name}")


def received_signal() -> int | None:
    """The SIGINT/SIGTERM the current (or last) :func:`cancel_on_signals` block received, if any.

    A signal can land inside a database driver call that then fails with its own error (PostgreSQL:
    the query is cancelled) instead of :class:`Cancelled`; callers treat any failure after a stop
    request as that stop.
    """
    return _received


def raise_if_cancelled() -> None:
    """Raise :class:`Cancelled` if a signal arrived while a write was in progress."""
    global _pending
    if _pending is not None:
        signum, _pending = _pending, None
        raise Cancelled(signum)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM (when :func:`cancel_on_signals` is active) until the block ends."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if _deferring == 0:
        raise_if_cancelled()


@contextmanager
def cancel_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Cancelled` (deferred inside writes).

    Only for the main thread of a command-line process; child processes forked meanwhile (the
    featurising pool) ignore the handler and are ended by their parent.
    """
    global _received
    owner = os.getpid()
    _received = None

    def handle(signum: int, _frame: FrameType | None) -> None:
        global _pending, _received
        if os.getpid() != owner:
            return
        _received = signum
        if _deferring:
            _pending = signum
            return
        raise Cancelled(signum)

    previous = {signum: signal.signal(signum, handle) for signum in _HANDLED}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
