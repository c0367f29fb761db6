"""Upload reviews: a CSV/XLSX file, its inferred column mapping (editable), import, summary."""

from __future__ import annotations

import contextlib
import hashlib
import math
import threading
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from core.ingestion.mapping import ColumnMapping, infer_mapping
from core.ingestion.rows import PreparedRows, prepare_rows
from core.ingestion.tables import IngestError, ParsedTable, read_table
from core.settings import get_settings
from dashboard import manage_section, product_data, state
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, number, t
from dashboard.state import Keys

if TYPE_CHECKING:
    from core.ingestion.rows import RejectedRow
    from core.storage.importer import ImportSummary

ROLES = ("text", "product", "date", "rating", "title", "author")
EXAMPLE = pd.DataFrame(
    {
        "product": ["Aurora ANC Headphones", "Aurora ANC Headphones"],
        "date": ["2026-05-18", "19/05/2026"],
        "rating": ["5", "2/5"],
        "review": ["Battery easily lasts a week.", "The left ear cup started crackling."],
    }
)
NONE = "\u2014"  # the "no such column" choice in the selects


@st.cache_resource(max_entries=2, show_spinner=False, ttl=600)
def parse(data: bytes, filename: str) -> ParsedTable:
    """Read the upload once per distinct file (reruns reuse it); IngestError is not cached.

    `cache_resource`: the table is only read, and cache_data would unpickle a copy of a
    100k-row table on every rerun of this page (about a second).
    """
    return read_table(data, filename)


def mapping_columns(mapping: ColumnMapping) -> tuple[str | None, ...]:
    """`mapping` as the column of each role, in ROLES order: the hashable form :func:`prepared` keys on."""
    return tuple(getattr(mapping, role) for role in ROLES)


@st.cache_resource(max_entries=2, show_spinner=False, ttl=600)
def prepared(
    _table: ParsedTable, signature: str, columns: tuple[str | None, ...], product: str, dayfirst: bool
) -> PreparedRows:
    """:func:`core.ingestion.rows.prepare_rows` of the file `signature` under one mapping (`columns`, in ROLES
    order), shared read-only; IngestError is not cached. :func:`prepare_ahead` starts it in the
    background while the user looks at the preview, and Import then finds it done (or in progress:
    it waits for that run rather than starting another).
    """
    mapping = ColumnMapping(**dict(zip(ROLES, columns, strict=True)))
    return prepare_rows(_table, mapping, default_product=product or "Unassigned", dayfirst=dayfirst)


def prepare_ahead(
    table: ParsedTable, signature: str, mapping: ColumnMapping, product: str, dayfirst: bool
) -> None:
    """Start :func:`prepared` for the mapping first shown for a file, once per file: about two seconds
    of a 100k-row import happen while the user checks the preview (a changed mapping is prepared on
    Import instead, so editing the selects never queues background work)."""
    if st.session_state.get(Keys.UPLOAD_PREPARED_AHEAD) == signature:
        return
    st.session_state[Keys.UPLOAD_PREPARED_AHEAD] = signature
    columns = mapping_columns(mapping)

    def run() -> None:
        with contextlib.suppress(Exception):  # Import prepares again and reports the error
            prepared(table, signature, columns, product, dayfirst)

    threading.Thread(target=run, name="prepare-upload", daemon=True).start()


def mapping_editor(table: ParsedTable, signature: str) -> tuple[ColumnMapping, str, bool]:
    """The inferred mapping as selects the user can change, the product name for rows without
    one, and the day-first toggle. Widget keys carry the file signature, so a new file starts
    from its own inferred mapping.
    """
    inferred = infer_mapping(table)
    if inferred.text is None:
        st.warning(t("upload.no_text_inferred"), icon=":material/help:")
    columns = [str(c) for c in table.frame.columns]
    options = [NONE, *columns]
    chosen: dict[str, str | None] = {}
    grid = st.columns(3)
    for i, role in enumerate(ROLES):
        current = getattr(inferred, role)
        value = grid[i % 3].selectbox(
            t(f"upload.role.{role}"),
            options,
            index=options.index(str(current)) if current is not None and str(current) in options else 0,
            key=f"map_{role}_{signature}",
            help=t("upload.role.text_help") if role == "text" else None,
        )
        chosen[role] = None if value == NONE else value
    mapping = ColumnMapping(**chosen)
    left, right = st.columns(2)
    stem = (table.filename or "upload").rsplit(".", 1)[0]
    product = left.text_input(
        t("upload.default_product"),
        value=stem,
        key=f"default_product_{signature}",
        help=t("upload.default_product_help"),
    )
    dayfirst = right.toggle(t("upload.dayfirst"), key=f"dayfirst_{signature}", help=t("upload.dayfirst_help"))
    return mapping, product, dayfirst


def run_import(
    table: ParsedTable, mapping: ColumnMapping, product: str, dayfirst: bool, signature: str
) -> None:
    """Prepare, score and store the rows with a progress bar; the outcome goes to session state."""
    from core.storage.importer import import_rows

    st.session_state[Keys.UPLOAD_ERROR] = None
    problem = state.model_problem()
    if problem:
        st.session_state[Keys.UPLOAD_ERROR] = t("model.no_model", error=problem)
        return
    bar = st.progress(0.0, text=t("upload.preparing"))
    try:
        rows = prepared(table, signature, mapping_columns(mapping), product, dayfirst)

        def progress(done: int, total: int) -> None:
            bar.progress(min(1.0, done / max(total, 1)), text=t("upload.progress", done=done, total=total))

        summary = import_rows(
            state.engine(),
            rows.rows,
            source="csv",
            source_name=table.filename or "upload",
            predictor=state.predictor(),
            rejected=rows.rejected,
            warnings=rows.warnings,
            notes=table.notes,
            rows_read=rows.rows_read,
            progress=progress,
        )
    except IngestError as exc:
        st.session_state[Keys.UPLOAD_ERROR] = str(exc)
        return
    except Exception as exc:  # the import is one transaction: nothing was stored, say why
        st.session_state[Keys.UPLOAD_ERROR] = t("upload.failed", error=f"{type(exc).__name__}: {exc}")
        return
    finally:
        bar.empty()
    st.session_state[Keys.UPLOAD_SUMMARY] = summary
    st.session_state[Keys.UPLOAD_SIGNATURE] = signature
    st.session_state[Keys.UPLOAD_REJECTED] = [*rows.rejected, *rows.warnings]
    st.session_state[Keys.SELECTED_PRODUCTS] = list(summary.products)
    state.invalidate()
    if summary.products:  # the charts of what was imported are ready when the user opens them
        threading.Thread(
            target=product_data.warm,
            args=(
                state.engine(),
                state.database_url(),
                product_data.opening_products(list(summary.products)),
                current_language(),
                state.data_version(),
            ),
            name="warm-products",
            daemon=True,
        ).start()


def rejected_frame(rows: list[RejectedRow]) -> pd.DataFrame:
    """Rejected and partly stored rows as a table: row number, reason, then the file's cells."""
    return pd.DataFrame([{"row": r.row_number, "reason": r.reason, **r.values} for r in rows])


def reason_text(reason: str) -> str:
    """An ingestion reason ("empty text") in the UI language, by its key in `REASON_KEYS`; a reason
    the dashboard does not know yet is shown as the ingestion layer words it."""
    from core.ingestion import rows

    keys = {
        rows.EMPTY_TEXT: "upload.reason.empty_text",
        rows.NO_WORDS: "upload.reason.no_words",
        rows.UNPARSEABLE_DATE: "upload.reason.unparseable_date",
        rows.UNPARSEABLE_RATING: "upload.reason.unparseable_rating",
        rows.RATING_OUT_OF_RANGE: "upload.reason.rating_out_of_range",
    }
    return t(keys[reason]) if reason in keys else reason


def summary_sentence(summary: ImportSummary) -> str:
    """The import summary in one sentence in the UI language (the CLI prints `summary.line()`)."""

    def by_reason(counts: dict[str, int]) -> str:
        return ", ".join(
            f"{reason_text(r)}: {number(n, current_language())}" for r, n in sorted(counts.items())
        )

    rejected = sum(summary.rejected.values())
    text = t(
        "upload.summary.line",
        read=summary.rows_read,
        stored=summary.stored,
        duplicates=summary.duplicates,
        rejected=rejected,
    )
    if rejected:
        text += f" ({by_reason(summary.rejected)})"
    if summary.warnings:
        text += t("upload.summary.kept_missing", reasons=by_reason(summary.warnings))
    if summary.stored == 0 and summary.duplicates:
        text += t("upload.summary.nothing_new")
    if summary.merged_products:
        pairs = ", ".join(f"“{name}” → “{kept}”" for name, kept in sorted(summary.merged_products.items()))
        text += t("upload.summary.merged", pairs=pairs)
    return text + t("upload.summary.model", model=summary.model_version, seconds=float(summary.seconds))


def show_summary(summary: ImportSummary, rejected: list[RejectedRow]) -> None:
    """Stored / duplicates / rejected counts, the reasons, the rejected rows and the way on."""
    lang = current_language()
    st.success(escape_markdown(summary_sentence(summary)), icon=":material/check_circle:")
    cols = st.columns(4)
    cols[0].metric(t("upload.summary.read"), number(summary.rows_read, lang))
    cols[1].metric(t("upload.summary.stored"), number(summary.stored, lang))
    cols[2].metric(t("upload.summary.duplicates"), number(summary.duplicates, lang))
    cols[3].metric(t("upload.summary.rejected"), number(sum(summary.rejected.values()), lang))
    if rejected:
        from core.spreadsheet import to_safe_csv

        frame = rejected_frame(rejected)
        frame["reason"] = frame["reason"].map(reason_text)
        reasons = frame["reason"].value_counts().rename_axis("reason").reset_index(name="rows")
        st.markdown(f"**{t('upload.summary.reasons')}**")
        st.dataframe(
            reasons,
            hide_index=True,
            column_config={
                "reason": st.column_config.TextColumn(t("upload.summary.reason")),
                "rows": st.column_config.NumberColumn(t("upload.summary.rows")),
            },
        )
        st.download_button(
            t("upload.summary.download_rejected"),
            data=lambda: to_safe_csv(frame),
            file_name="rejected_rows.csv",
            mime="text/csv",
            key="download_rejected",
            on_click="ignore",
            icon=":material/download:",
        )
    if summary.skipped:
        download_skipped(summary)
    st.page_link("views/products.py", label=t("upload.summary.open_products"), icon=":material/insights:")


def skipped_frame(summary: ImportSummary) -> pd.DataFrame:
    """The duplicates an import skipped: row number, why, then the row's own fields."""
    from core.storage.importer import ALREADY_STORED

    return pd.DataFrame(
        [
            {
                "row": s.row.row_number,
                "reason": t(
                    "upload.skipped.stored" if s.reason == ALREADY_STORED else "upload.skipped.repeat"
                ),
                "product": s.row.product,
                "date": s.row.review_date,
                "rating": s.row.rating_raw,
                "author": s.row.author,
                "title": s.row.title,
                "text": s.row.text,
            }
            for s in summary.skipped
        ]
    )


def download_skipped(summary: ImportSummary) -> None:
    """The skipped duplicates as a formula-safe CSV, like the rejected rows."""
    from core.spreadsheet import to_safe_csv

    st.download_button(
        t("upload.summary.download_skipped", n=len(summary.skipped)),
        data=lambda: to_safe_csv(skipped_frame(summary)),
        file_name="skipped_duplicates.csv",
        mime="text/csv",
        key="download_skipped",
        on_click="ignore",
        icon=":material/download:",
    )


def browser_limit_mb() -> int:
    """The uploader's own limit: the app's limit (MiB) in whole decimal MB, rounded up.

    Streamlit's browser check counts a MB as 10**6 bytes on some systems and 2**20 on others; asking
    for enough decimal MB means it never refuses a file the app accepts, so files over the limit get
    the app's message (:class:`core.ingestion.tables.FileTooLarge`, the same as the CLI's).
    """
    return math.ceil(get_settings().max_upload_bytes / 10**6)


def main() -> None:
    """Render the page: the upload, then "Manage products and imports"."""
    upload()
    st.divider()
    manage_section.render()


def upload() -> None:
    """The file uploader, its mapping, Import and the summary."""
    state.init_state()
    state.preload_model()  # ready by the time a file is chosen and Import pressed
    st.title(t("page.upload"))
    st.caption(t("upload.intro", mb=get_settings().max_upload_mb))
    uploaded = st.file_uploader(
        t("upload.file"),
        type=["csv", "tsv", "txt", "xlsx"],
        key="upload_file",
        max_upload_size=browser_limit_mb(),
    )
    if uploaded is None:
        with st.expander(t("upload.example.title")):
            st.markdown(t("upload.example.text"))
            st.dataframe(EXAMPLE, hide_index=True)
        summary = st.session_state[Keys.UPLOAD_SUMMARY]
        if summary is not None:
            show_summary(summary, st.session_state[Keys.UPLOAD_REJECTED])
        return
    data = uploaded.getvalue()
    signature = hashlib.sha1(data).hexdigest()[:12]
    try:
        table = parse(data, uploaded.name)
    except IngestError as exc:
        # messages quote the file's own column names: escaped so they show exactly as written
        st.error(escape_markdown(str(exc)), icon=":material/error:")
        return
    frame = table.frame
    details = [t("upload.rows", n=len(frame))]
    if table.encoding:
        details.append(t("upload.encoding", enc=table.encoding))
    if table.delimiter:
        details.append(t("upload.delimiter", sep=repr(table.delimiter)))
    if not table.has_header:
        details.append(t("upload.no_header"))
    st.markdown(f"**{t('upload.preview')}** · " + " · ".join(details))
    for note in table.notes:  # repairs made while reading (mixed encodings, NUL bytes)
        st.warning(escape_markdown(note), icon=":material/warning:")
    st.dataframe(frame.head(20), hide_index=True)
    st.subheader(t("upload.mapping"))
    mapping, product, dayfirst = mapping_editor(table, signature)
    if mapping.text is not None:
        prepare_ahead(table, signature, mapping, product, dayfirst)
    if st.button(t("upload.import"), key="import", type="primary", icon=":material/cloud_upload:"):
        st.session_state[Keys.UPLOAD_SIGNATURE] = signature
        if mapping.text is None:
            st.session_state[Keys.UPLOAD_ERROR] = t("upload.need_text")
        else:
            run_import(table, mapping, product, dayfirst, signature)
    error = (
        st.session_state[Keys.UPLOAD_ERROR] if st.session_state[Keys.UPLOAD_SIGNATURE] == signature else None
    )
    if error:
        st.error(escape_markdown(error), icon=":material/error:")
    summary = st.session_state[Keys.UPLOAD_SUMMARY]
    if summary is not None and not error and st.session_state[Keys.UPLOAD_SIGNATURE] == signature:
        show_summary(summary, st.session_state[Keys.UPLOAD_REJECTED])


if __name__ in {"__main__", "__page__"}:
    main()
