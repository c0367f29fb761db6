"""Structured logs: one JSON line per event (an import, a scrape, a scoring batch)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

_LOGGER_NAME = "sentiment"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at emit time (pytest and Streamlit replace it)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def get_logger() -> logging.Logger:
    """The product's logger, writing JSON lines to stderr at the configured level."""
    logger = logging.getLogger(_LOGGER_NAME)
    if not logger.handlers:
        from core.settings import get_settings

        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(get_settings().log_level)
        logger.propagate = False
    return logger


def log_event(event: str, level: int = logging.INFO, /, **fields: Any) -> None:
    """Log one event as a JSON object: `{"ts": ..., "event": "import", "rows": 10, ...}`."""
    record = {"ts": round(time.time(), 3), "event": event, **fields}
    get_logger().log(level, json.dumps(record, default=str, ensure_ascii=False))
