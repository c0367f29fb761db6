"""Model page, "Adapt to your reviews": rated reviews in, proof on held-out reviews out, then activate.

Flow: choose stored products (or upload a rated file) → see the class counts and, if the data cannot
support a fair result, why → start (a background process, `models.adapt.job.AdaptJob`, polled from a
fragment about once a second, with Cancel) → base-vs-adapted comparison with confusion matrices →
activate (the registry refuses a version that failed the gate) or discard → versions, roll back,
re-score products with the active version.

The strings of this section are the `adapt.*` keys of `dashboard.i18n`; session keys are in
:class:`AdaptKeys`. User text (product names, file names) is only shown through
widgets that render plain text (dataframes, select boxes), never through Markdown.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from core.inference import registry
from core.ingestion.rating_labels import LABELS, DataRequirements, RatingCutoffs, insufficiency
from core.nlp.language import dominant_language, foreign_language_warning
from core.settings import get_settings
from dashboard import charts, state
from dashboard.i18n import current_language, label_name, number, t, translate

if TYPE_CHECKING:
    from core.ingestion.tables import ParsedTable
    from models.adapt.job import AdaptJob, AdaptStatus

POLL_SECONDS = 1.0
NONE = "\u2014"
MISSING = "–"
STARS = (1, 2, 3, 4, 5)
DEFAULT_STARS = (2, 4)  # negative up to 2 stars, positive from 4: RatingCutoffs' defaults


class AdaptKeys:
    """Session-state keys of this section (to be merged into `dashboard.state.Keys`)."""

    JOB = "adapt_job"  # the running/last AdaptJob, or None
    DONE_SEEN = "adapt_done_seen"  # the finished run already triggered its one full rerun
    MESSAGE = "adapt_message"  # (kind, text) of the last action: activate, discard, rollback, re-score
    SOURCE = "adapt_source"  # "products" | "file"
    PRODUCTS = "adapt_products"  # chosen products
    RESCORE_PRODUCTS = "adapt_rescore_products"


DEFAULTS: dict[str, Any] = {
    AdaptKeys.JOB: None,
    AdaptKeys.DONE_SEEN: False,
    AdaptKeys.MESSAGE: None,
    AdaptKeys.SOURCE: "products",
    AdaptKeys.PRODUCTS: [],
    AdaptKeys.RESCORE_PRODUCTS: [],
}


def init_state() -> None:
    """Give this section's session keys their defaults once."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------------------------- pure helpers


def cutoffs_for_stars(negative_up_to: int, positive_from: int) -> RatingCutoffs:
    """Cut-offs on normalised ratings from a mapping in stars of five: 1..`negative_up_to` negative,
    `positive_from`..5 positive, the stars between neutral. The edges sit half a star past the chosen
    star, so other scales map the same way (7 of 10 is 0.67, positive from 4 of 5 starts at 0.625).
    """
    if (negative_up_to, positive_from) == DEFAULT_STARS:
        return RatingCutoffs()
    return RatingCutoffs((negative_up_to - 0.5) / 4, (positive_from - 1.5) / 4)


def verdict(card: Mapping[str, Any], lang: str = "en") -> str:
    """The gate's result in plain words: did the adapted model do better on reviews it never saw?"""
    base, adapted = card["heldout"]["base"], card["heldout"]["adapted"]
    key = "adapt.plain.passed" if card["gate"]["passed"] else "adapt.plain.failed"
    return translate(
        key,
        lang,
        n=int(base.get("n", 0)),
        base=number(base["accuracy"], lang, ".0%"),
        adapted=number(adapted["accuracy"], lang, ".0%"),
    )


def comparison_table(card: Mapping[str, Any], lang: str = "en") -> pd.DataFrame:
    """Base-vs-adapted held-out metrics as rows: accuracy, macro-F1, F1 per class."""
    base, adapted = card["heldout"]["base"], card["heldout"]["adapted"]
    rows = [
        (translate("adapt.accuracy", lang), base["accuracy"], adapted["accuracy"]),
        (translate("adapt.macro_f1", lang), base["macro_f1"], adapted["macro_f1"]),
    ]
    for label in LABELS:
        name = translate("adapt.f1_of", lang, label=label_name(label, lang))
        rows.append((name, base["per_class"][label]["f1"], adapted["per_class"][label]["f1"]))
    return pd.DataFrame(rows, columns=["metric", "base", "adapted"])


def versions_table(versions: Sequence[registry.ModelVersion], lang: str = "en") -> pd.DataFrame:
    """One row per model version with its proof numbers (from each card), as display text: "–" where
    a number does not apply (the base model has no adaptation proof), never "None"."""

    def share(value: Any) -> str:
        return number(value, lang, ".1%") if isinstance(value, int | float) else MISSING

    rows = []
    for v in versions:
        card = v.card
        held = card.get("heldout") or {}
        adapted = v.name != registry.BASE
        rated = (card.get("data") or {}).get("rated") if adapted else None
        passed = (card.get("gate") or {}).get("passed") if adapted else None
        rows.append(
            {
                "version": v.model_version,
                "active": v.active,
                "created": str(card.get("created_at") or card.get("created") or "").replace("T", " ")[:19],
                "language": translate(f"model.lang.{card.get('language', '')}", lang)
                if card.get("language")
                else MISSING,
                "reviews": number(rated, lang) if isinstance(rated, int) else MISSING,
                "base_f1": share((held.get("base") or {}).get("macro_f1")),
                "adapted_f1": share((held.get("adapted") or {}).get("macro_f1")),
                "passed": MISSING if passed is None else translate(f"adapt.passed.{bool(passed)}", lang),
            }
        )
    return pd.DataFrame(rows)


def discard_version(name: str) -> None:
    """Delete an adapted version's directory; never the base model or the active version."""
    settings = get_settings()
    path = (settings.registry_dir / name).resolve()
    if (
        name == registry.BASE
        or path.parent != settings.registry_dir.resolve()
        or not registry.is_model_dir(path)
    ):
        raise registry.RegistryError(f"{name!r} is not an adapted version in the registry")
    if registry.active_name() == name:
        raise registry.RegistryError(f"{name!r} is active: roll back or activate another version first")
    shutil.rmtree(path)


def _forget_loaded_model() -> None:
    """Refresh cached query frames after the active model changed (`state.predictor()` keys on the
    active model directory, so it loads the new one by itself)."""
    state.invalidate()


# ---------------------------------------------------------------------------------------------- callbacks


def _start(**kwargs: Any) -> None:
    from models.adapt.job import AdaptJob

    try:
        st.session_state[AdaptKeys.JOB] = AdaptJob.start(**kwargs)
        st.session_state[AdaptKeys.DONE_SEEN] = False
        st.session_state[AdaptKeys.MESSAGE] = None
    except (ValueError, OSError) as exc:
        st.session_state[AdaptKeys.MESSAGE] = ("error", str(exc))


def _cancel() -> None:
    job: AdaptJob | None = st.session_state.get(AdaptKeys.JOB)
    if job is not None:
        job.cancel()


def _activate(name: str) -> None:
    try:
        version = registry.activate(name)
        st.session_state[AdaptKeys.MESSAGE] = ("success", t("adapt.activated", version=version.model_version))
    except registry.RegistryError as exc:
        st.session_state[AdaptKeys.MESSAGE] = ("error", str(exc))
    _forget_loaded_model()


def _rollback() -> None:
    registry.rollback()
    st.session_state[AdaptKeys.MESSAGE] = ("success", t("adapt.rolled_back"))
    _forget_loaded_model()


def _discard(name: str) -> None:
    try:
        discard_version(name)
        st.session_state[AdaptKeys.MESSAGE] = ("success", t("adapt.discarded", version=name))
        st.session_state[AdaptKeys.JOB] = None
    except registry.RegistryError as exc:
        st.session_state[AdaptKeys.MESSAGE] = ("error", str(exc))


# ---------------------------------------------------------------------------------------------- parts


def _active_model() -> tuple[str, str]:
    """The active version's name and language (from its card and feature config)."""
    active = next((v for v in registry.list_versions() if v.active), None)
    if active is None:
        return registry.BASE, "english"
    return active.model_version, str(active.card.get("language", "english"))


def _cutoffs() -> RatingCutoffs:
    """The label mapping, in stars of five (other scales map proportionally)."""
    with st.expander(t("adapt.cutoffs")):
        left, right = st.columns(2)
        negative = left.selectbox(
            t("adapt.cutoffs.negative"), STARS[:-1], index=STARS.index(DEFAULT_STARS[0]),
            format_func=lambda n: t("adapt.stars.up_to", n=n), key="adapt_neg_stars",
        )  # fmt: skip
        positive = right.selectbox(
            t("adapt.cutoffs.positive"), STARS[1:], index=STARS[1:].index(DEFAULT_STARS[1]),
            format_func=lambda n: t("adapt.stars.from", n=n), key="adapt_pos_stars",
        )  # fmt: skip
        if negative >= positive:
            st.error(t("adapt.stars.overlap"), icon=":material/error:")
            return RatingCutoffs()
        neutral = [str(n) for n in STARS if negative < n < positive]
        st.caption(
            t("adapt.stars.neutral", stars="–".join(dict.fromkeys([neutral[0], neutral[-1]])))
            if neutral
            else t("adapt.stars.no_neutral")
        )
        st.caption(t("adapt.stars.scales"))
    return cutoffs_for_stars(negative, positive)


@st.cache_data(max_entries=2, show_spinner=False)
def _parse(data: bytes, filename: str) -> ParsedTable:
    from core.ingestion.tables import read_table

    return read_table(data, filename)


def _from_products() -> tuple[dict[str, Any] | None, list[str], list[float | None]]:
    """Start arguments, texts and normalised ratings of the chosen stored products."""
    engine = state.engine()
    from core.storage.queries import product_names

    names = product_names(engine)
    if not names:
        st.info(t("adapt.products.none"))
        return None, [], []
    chosen = st.multiselect(
        t("adapt.products"), names, key=AdaptKeys.PRODUCTS, placeholder=t("adapt.products.all")
    )
    frame = state.reviews(engine, state.database_url(), tuple(chosen) if chosen else None)
    if frame.empty:
        return None, [], []
    texts = frame["text"].astype(str).tolist()
    ratings = [None if pd.isna(r) else float(r) for r in frame["rating"]]
    return {"products": list(chosen)}, texts, ratings


def _from_file() -> tuple[dict[str, Any] | None, list[str], list[float | None]]:
    """Start arguments, texts and normalised ratings of an uploaded rated file (saved for the run)."""
    from core.ingestion.mapping import ColumnMapping, infer_mapping
    from core.ingestion.rows import prepare_rows
    from core.ingestion.tables import IngestError

    upload = st.file_uploader(t("adapt.file"), type=["csv", "xlsx", "txt", "tsv"], key="adapt_upload")
    if upload is None:
        return None, [], []
    data = upload.getvalue()
    try:
        table = _parse(data, upload.name)
    except IngestError as exc:
        st.error(str(exc))
        return None, [], []
    columns = [str(c) for c in table.frame.columns]
    inferred = infer_mapping(table)
    grid = st.columns(3)

    def pick(slot: int, label: str, current: str | None, optional: bool) -> str | None:
        options = [NONE, *columns] if optional else columns
        index = options.index(current) if current in options else 0
        value = grid[slot].selectbox(label, options, index=index, key=f"adapt_col_{slot}")
        return None if value == NONE else value

    text_col = pick(0, t("adapt.column.text"), inferred.text, False)
    rating_col = pick(1, t("adapt.column.rating"), inferred.rating, False)
    product_col = pick(2, t("adapt.column.product"), inferred.product, True)
    try:
        prepared = prepare_rows(table, ColumnMapping(text=text_col, rating=rating_col, product=product_col))
    except IngestError as exc:
        st.error(str(exc))
        return None, [], []
    folder = get_settings().data_dir / "adapt_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name).suffix.lower() or ".csv"
    saved = folder / f"{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    if not saved.exists():
        saved.write_bytes(data)
    args = {"csv": saved, "text_column": text_col, "rating_column": rating_col, "product_column": product_col}
    return args, [r.text for r in prepared.rows], [r.rating for r in prepared.rows]


def _counts_and_checks(
    texts: list[str], ratings: list[float | None], cutoffs: RatingCutoffs, model_language: str
) -> str | None:
    """The counts adaptation will use (rated, repeated texts once) against the minimums, unrated and
    repeated counts, language and warnings; returns the insufficiency reason, if any."""
    from models.adapt.data import RatedReviews
    from models.adapt.labels import label_reviews

    lang = current_language()
    # the labelling and de-duplication the adaptation run applies, so these are the counts it will use
    kept = label_reviews(RatedReviews(texts, ratings, [""] * len(texts), {}), cutoffs)
    counts = kept.counts
    needs = DataRequirements()
    st.caption(t("adapt.counts", total=needs.min_total, per_class=needs.min_per_class))
    cols = st.columns(4)
    for col, label in zip(cols[:3], LABELS, strict=True):
        short = counts[label] < needs.min_per_class
        col.metric(
            label_name(label, lang),
            number(counts[label], lang),
            delta=t("adapt.short_by", n=needs.min_per_class - counts[label]) if short else None,
            delta_color="inverse" if short else "off",
            delta_arrow="off",
        )
    total = sum(counts.values())
    cols[3].metric(
        t("adapt.total"),
        number(total, lang),
        delta=t("adapt.short_by", n=needs.min_total - total) if total < needs.min_total else None,
        delta_color="inverse",
        delta_arrow="off",
    )
    if kept.unrated or kept.duplicates:
        st.caption(t("adapt.left_out", unrated=kept.unrated, duplicates=kept.duplicates))
    rated_texts = kept.texts
    language = dominant_language(rated_texts[:2000])
    st.caption(t("adapt.language", language=language.capitalize()))
    warning = foreign_language_warning(rated_texts[:2000], model_language)
    if warning:
        st.warning(warning, icon=":material/translate:")
    problem = insufficiency(counts, needs)
    if problem:
        st.warning(problem, icon=":material/block:")
    return problem


def _show_result(status: AdaptStatus) -> None:
    """The comparison, confusion matrices, verdict, and the activate / discard actions."""
    version_dir = Path(status.result.get("version_dir", ""))
    if not registry.is_model_dir(version_dir):
        return
    card = registry.read_card(version_dir)
    lang = current_language()
    st.subheader(t("adapt.comparison"))
    st.caption(t("adapt.heldout", n=card["heldout"]["base"]["n"]))
    st.dataframe(
        comparison_table(card, lang),
        hide_index=True,
        column_config={
            "metric": st.column_config.TextColumn(t("adapt.metric")),
            "base": st.column_config.NumberColumn(t("adapt.base"), format="percent"),
            "adapted": st.column_config.NumberColumn(t("adapt.adapted"), format="percent"),
        },
    )
    left, right = st.columns(2)
    for col, which in ((left, "base"), (right, "adapted")):
        title = f"{t('adapt.' + which)} · {card['heldout'][which]['n']}"
        col.plotly_chart(
            charts.confusion_chart(card["heldout"][which]["confusion"], lang=lang, title=title),
            key=f"adapt_confusion_{which}_{version_dir.name}",
        )
    passed = bool(card["gate"]["passed"])
    (st.success if passed else st.error)(verdict(card, lang))
    st.caption(t("adapt.gate_detail", verdict=card["gate"]["verdict"]))
    st.info(t("adapt.agreement_note"), icon=":material/info:")
    with st.container(horizontal=True):
        st.button(t("adapt.activate"), key="adapt_activate_new", on_click=_activate, args=(version_dir.name,),
                  type="primary", disabled=not passed, icon=":material/check_circle:")  # fmt: skip
        st.button(t("adapt.discard"), key="adapt_discard_new", on_click=_discard, args=(version_dir.name,),
                  icon=":material/delete:")  # fmt: skip


def _progress_panel() -> None:
    """Re-run about once a second while the job runs; one full rerun when it ends."""
    job: AdaptJob | None = st.session_state.get(AdaptKeys.JOB)
    if job is None:
        return
    status = job.status()
    if status.state == "running":
        st.progress(min(max(status.progress, 0.0), 1.0), text=f"{t('adapt.running')} {status.message}")
        st.button(t("adapt.cancel"), key="adapt_cancel", on_click=_cancel, icon=":material/stop_circle:")
    elif status.state == "cancelled":
        st.warning(t("adapt.cancelled"), icon=":material/stop_circle:")
    elif status.state == "failed":
        st.error(t("adapt.failed", message=status.message), icon=":material/error:")
    if status.state != "running" and not st.session_state.get(AdaptKeys.DONE_SEEN):
        st.session_state[AdaptKeys.DONE_SEEN] = True
        st.rerun(scope="app")  # stop polling; the finished result renders outside the fragment


def _versions_panel() -> None:
    """Every version with its proof; activate one, roll back, re-score products."""
    st.subheader(t("adapt.versions"))
    versions = registry.list_versions()
    frame = versions_table(versions, current_language())
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "version": st.column_config.TextColumn(t("adapt.col.version")),
            "active": st.column_config.CheckboxColumn(t("adapt.col.active")),
            "created": st.column_config.TextColumn(t("adapt.col.created")),
            "language": st.column_config.TextColumn(t("adapt.col.language")),
            "reviews": st.column_config.TextColumn(t("adapt.col.reviews")),
            "base_f1": st.column_config.TextColumn(f"{t('adapt.macro_f1')} · {t('adapt.base')}"),
            "adapted_f1": st.column_config.TextColumn(f"{t('adapt.macro_f1')} · {t('adapt.adapted')}"),
            "passed": st.column_config.TextColumn(t("adapt.col.passed")),
        },
    )
    adapted = [v.name for v in versions if v.name != registry.BASE]
    if adapted:
        chosen = st.selectbox(t("adapt.pick_version"), adapted, key="adapt_pick_version")
    # buttons sized to their labels in one row: fixed columns cut the longer (Spanish) labels short
    with st.container(horizontal=True):
        if adapted:
            st.button(
                t("adapt.activate_selected"), key="adapt_activate_pick", on_click=_activate, args=(chosen,)
            )
            st.button(t("adapt.discard"), key="adapt_discard_pick", on_click=_discard, args=(chosen,))
        st.button(t("adapt.rollback"), key="adapt_rollback", on_click=_rollback, icon=":material/undo:",
                  disabled=registry.active_name() == registry.BASE)  # fmt: skip


def _rescore_panel() -> None:
    """Re-score chosen products with the active version (old predictions stay, for comparison)."""
    from core.storage.importer import rescore
    from core.storage.queries import product_names

    engine = state.engine()
    names = product_names(engine)
    if not names:
        return
    st.subheader(t("adapt.rescore.title"))
    chosen = st.multiselect(
        t("adapt.products"),
        names,
        key=AdaptKeys.RESCORE_PRODUCTS,
        help=t("adapt.rescore.help"),
        placeholder=t("adapt.products.all"),
    )
    if st.button(t("adapt.rescore"), key="adapt_rescore", icon=":material/refresh:"):
        predictor = state.predictor()  # the active version
        bar = st.progress(0.0)

        def show(done: int, total: int) -> None:
            bar.progress(done / max(total, 1))

        added = rescore(engine, list(chosen), predictor, progress=show)
        state.invalidate()
        st.session_state[AdaptKeys.MESSAGE] = (
            "success",
            t("adapt.rescored", n=f"{added:,}", version=predictor.version),
        )
        st.rerun()


def render_adapt_section() -> None:
    """Render "Adapt to your reviews" (called by the Model page)."""
    init_state()
    st.header(t("adapt.title"))
    st.caption(t("adapt.intro"))
    version, model_language = _active_model()
    st.caption(
        t(
            "adapt.active",
            version=version,
            language=translate(f"model.lang.{model_language}", current_language()),
        )
    )
    message = st.session_state[AdaptKeys.MESSAGE]
    if message:
        (st.success if message[0] == "success" else st.error)(message[1])

    job: AdaptJob | None = st.session_state[AdaptKeys.JOB]
    running = job is not None and job.status().state == "running"
    source = st.radio(
        t("adapt.source"), ["products", "file"], key=AdaptKeys.SOURCE, horizontal=True,
        format_func=lambda k: t(f"adapt.source.{k}"),
    )  # fmt: skip
    cutoffs = _cutoffs()
    try:
        args, texts, ratings = _from_products() if source == "products" else _from_file()
    except Exception as exc:  # a broken database must not hide the versions panel
        st.error(t("adapt.no_store", error=f"{type(exc).__name__}: {exc}"))
        args, texts, ratings = None, [], []
    problem = _counts_and_checks(texts, ratings, cutoffs, model_language) if texts else None
    if args is not None:
        st.button(
            t("adapt.start"), key="adapt_start", type="primary", icon=":material/model_training:",
            disabled=running or problem is not None, on_click=_start,
            kwargs={**args, "negative_max": cutoffs.negative_max, "positive_min": cutoffs.positive_min},
        )  # fmt: skip
    if job is not None:
        st.fragment(_progress_panel, run_every=POLL_SECONDS if running else None)()
        status = job.status()
        if status.state == "finished":
            _show_result(status)
    _versions_panel()
    try:
        _rescore_panel()
    except Exception as exc:
        st.error(t("adapt.no_store", error=f"{type(exc).__name__}: {exc}"))
