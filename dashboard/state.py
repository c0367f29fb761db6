"""Shared UI state: cached resources, cached query frames, and every session-state key name.

Caching lives here, in the UI layer (core/ stays free of Streamlit):

* `st.cache_resource` for the thread-safe things one process shares: the TorchScript predictor
  and the SQLAlchemy engine.
* `st.cache_data(ttl=...)` for query results; the engine is passed as `_engine` (not hashed) with
  its URL as the hashed part of the key. :func:`invalidate` clears them after a write.
* Big read-only objects are the exception: :func:`reviews` (the per-product review frame), the
  parsed upload and the Products page's per-filter charts are shared through
  `st.cache_resource` (with a ttl), because cache_data would copy 100k rows (or rebuild Plotly
  figures) on every rerun. Pages only ever read them. :func:`data_version` is in the key of the
  derived ones, so :func:`invalidate` makes them all fresh after a write.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from core.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from core.inference.predictor import Predictor


class Keys:
    """Session-state key names, in one place so pages and tests agree on them."""

    LANG = "lang"  # "en" | "es"
    ANALYZE_INPUT = "analyze_input"  # the Analyze page's text area
    ANALYZE_RESULTS = "analyze_results"  # list of result dicts from the last Analyze run
    UPLOAD_SUMMARY = "upload_summary"  # ImportSummary of the last upload, or None
    UPLOAD_SIGNATURE = "upload_signature"  # hash of the file the summary/error belongs to
    UPLOAD_REJECTED = "upload_rejected"  # list[RejectedRow] of the last upload
    UPLOAD_ERROR = "upload_error"  # readable message of the last failed upload, or None
    UPLOAD_PREPARED_AHEAD = "upload_prepared_ahead"  # signature of the file being prepared ahead
    SAMPLE_SUMMARY = "sample_summary"  # ImportSummary of "Load sample data", or None
    SELECTED_PRODUCTS = "selected_products"  # Products page selection, carried across pages
    DRIVER_TERM = "driver_term"  # driver term filtering the Products review table, or None
    CRAWL_JOB = "crawl_job"  # the running/last CrawlJob, or None
    CRAWL_ERROR = "crawl_error"  # readable message when a crawl could not start
    MANAGE_PENDING = "manage_pending"  # manage_section.Pending reviewed and awaiting Confirm, or None
    MANAGE_DONE = "manage_done"  # the message of the last change made there, or None


DEFAULTS: dict[str, Any] = {
    Keys.LANG: "en",
    Keys.ANALYZE_INPUT: "",
    Keys.ANALYZE_RESULTS: [],
    Keys.UPLOAD_SUMMARY: None,
    Keys.UPLOAD_SIGNATURE: None,
    Keys.UPLOAD_REJECTED: [],
    Keys.UPLOAD_ERROR: None,
    Keys.UPLOAD_PREPARED_AHEAD: None,
    Keys.SAMPLE_SUMMARY: None,
    Keys.SELECTED_PRODUCTS: [],
    Keys.DRIVER_TERM: None,
    Keys.CRAWL_JOB: None,
    Keys.CRAWL_ERROR: None,
    Keys.MANAGE_PENDING: None,
    Keys.MANAGE_DONE: None,
}


def init_state() -> None:
    """Give every session key its default once; pages call this first (tests may pre-set keys)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            # copy mutable defaults so sessions never share one list
            st.session_state[key] = list(value) if isinstance(value, list) else value


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    from core.storage.engine import get_engine

    return get_engine(url)


def engine() -> Engine:
    """The process-wide SQLAlchemy engine for the configured database (schema created once)."""
    return _engine_for(get_settings().database_url)


@st.cache_resource(show_spinner="Loading the sentiment model…")
def _predictor_for(model_dir: str) -> Predictor:
    from core.inference.predictor import get_predictor

    return get_predictor(model_dir)


def predictor() -> Predictor:
    """The active sentiment model, loaded once per process and model directory. The directory is
    resolved on every call (one small file read), so activating another version takes effect at
    once.
    """
    from core.inference.predictor import resolve_model_dir

    return _predictor_for(str(resolve_model_dir(None).resolve()))


def preload_model() -> None:
    """Start loading the active model in the background (importing torch alone takes ~2 s), once per
    model directory, so a page that is about to score (Upload) does not wait for it: a page asking
    for :func:`predictor` meanwhile waits for this load instead of starting another. Problems are
    not reported here; :func:`model_problem` says what they are when a page needs the model.
    """
    from core.inference.predictor import resolve_model_dir

    try:
        model_dir = str(resolve_model_dir(None).resolve())
    except Exception:  # no model at all: the page says so when it needs one
        return
    _preload(model_dir)


@st.cache_resource(show_spinner=False)
def _preload(model_dir: str) -> threading.Thread:
    def load() -> None:
        from core.inference.predictor import get_predictor

        # the process-wide predictor cache, which _predictor_for reads too; errors are reported by
        # model_problem() when a page needs the model
        with contextlib.suppress(Exception):
            get_predictor(model_dir)

    thread = threading.Thread(target=load, name="preload-model", daemon=True)
    thread.start()
    return thread


def model_problem() -> str | None:
    """Why the model cannot be loaded (one line for an error box), or None when it loads."""
    try:
        predictor()
    except Exception as exc:  # missing or corrupt model files: pages say so instead of crashing
        return f"{type(exc).__name__}: {exc}"
    return None


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Load the slow-to-import pieces (NLTK's stopword lists, used by the drivers) in the
    background once per process, so the first Products page does not wait ~2 s for them.
    """

    def load() -> None:
        from core.nlp.text import stopword_set

        for language in ("english", "spanish"):
            stopword_set(language)

    thread = threading.Thread(target=load, name="warm-up", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class ActiveModel:
    """The model new reviews are scored with: its version string and since when it is active."""

    version: str
    since: datetime | None  # None: the shipped model, never switched away from


def active_model() -> ActiveModel:
    """The active model's version (from its card) and activation time (registry files, read each run)."""
    from core.inference import registry

    try:
        versions = registry.list_versions()
    except registry.RegistryError:
        return ActiveModel("–", None)
    active = next((v for v in versions if v.active), versions[0])
    return ActiveModel(active.model_version, registry.active_since())


def activation_marks() -> list[tuple[datetime, str]]:
    """(when, model version) of every change of the active model, for the trend charts' marks."""
    from core.inference import registry

    return [(a.activated_at, a.model_version) for a in registry.activation_history()]


def database_url() -> str:
    """The configured database URL (the hashed part of every cached query's key)."""
    return get_settings().database_url


@st.cache_data(ttl=300, show_spinner=False)
def product_summary(_engine: Engine, url: str, model_version: str | None = None) -> pd.DataFrame:
    """Cached `core.storage.queries.product_summary`: one row per product with shares and date span."""
    from core.storage.queries import product_summary as query

    return query(_engine, model_version=model_version)


@st.cache_data(ttl=300, show_spinner=False)
def site_ratings(_engine: Engine, url: str) -> pd.DataFrame:
    """Cached `core.storage.queries.latest_site_ratings`: each product page's own latest average rating."""
    from core.storage.queries import latest_site_ratings

    return latest_site_ratings(_engine)


@st.cache_resource(ttl=300, show_spinner=False, max_entries=8)
def reviews(
    _engine: Engine, url: str, products: tuple[str, ...] | None = None, model_version: str | None = None
) -> pd.DataFrame:
    """`core.storage.queries.reviews_frame` for whole products, shared READ-ONLY by every session.

    `st.cache_resource`, not `st.cache_data`: cache_data returns an unpickled copy on every call,
    ~0.1 s per 100k reviews per call; pages only ever filter this frame (which makes new frames)
    and never change it, so sharing it is safe and keeps a filter change well under a second.
    """
    from core.storage.queries import reviews_frame

    frame = reviews_frame(_engine, products=list(products) if products else None, model_version=model_version)
    if "review_date" in frame.columns:
        frame["review_date"] = pd.to_datetime(frame["review_date"], errors="coerce", utc=True).dt.tz_localize(
            None
        )
    frame.flags.allows_duplicate_labels = False
    return frame


@st.cache_data(ttl=300, show_spinner=False)
def model_versions(_engine: Engine, url: str) -> list[str]:
    """Model versions with stored predictions, most recently used first."""
    from core.storage.queries import model_versions_in_store

    frame = model_versions_in_store(_engine)
    return frame["model_version"].dropna().astype(str).tolist()


@st.cache_data(ttl=30, show_spinner=False)
def health(_engine: Engine, url: str) -> dict[str, Any]:
    """Cached `core.storage.queries.store_health` (short ttl: the Health section should feel live)."""
    from core.storage.queries import store_health

    return store_health(_engine)


@st.cache_resource(show_spinner=False)
def _data_version() -> dict[str, int]:
    return {"n": 0}


def data_version() -> int:
    """A process-wide counter bumped by :func:`invalidate`; part of the key of derived caches."""
    return _data_version()["n"]


def invalidate() -> None:
    """Forget cached query results after a write (import, scrape, delete) so every page is fresh."""
    for fn in (product_summary, site_ratings, reviews, model_versions, health):
        fn.clear()
    _data_version()["n"] += 1
