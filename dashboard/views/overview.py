"""Overview: which model labelled the reviews, headline numbers, the products that need attention
(each opens on the Products page), the distribution and trend, and one-click demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard import charts, state
from dashboard.i18n import current_language, label_name, number, t
from dashboard.state import Keys

SAMPLE_CSV = Path(__file__).resolve().parent.parent / "sample_data" / "sample_reviews.csv"
PERIOD_DAYS = 30
SPARK_WEEKS = 13  # a quarter of weekly shares in each share tile
# each share tile's sparkline (and delta) in its label's colour: a falling Positive share must not
# paint the tile red, and the arrow already says which way it moved
TILE_COLOR: dict[str, Literal["green", "gray", "red"]] = {
    "positive": "green",
    "neutral": "gray",
    "negative": "red",
}
SORTS = ("negative", "product")  # distribution chart: highest negative share first, or by name


def load_sample() -> None:
    """Import the bundled demo CSV (scored with the active model) and remember the summary."""
    from core.storage.importer import import_file

    problem = state.model_problem()
    if problem:
        st.error(t("model.no_model", error=problem), icon=":material/error:")
        return
    bar = st.progress(0.0, text=t("overview.sample.loading"))

    def progress(done: int, total: int) -> None:
        bar.progress(
            min(1.0, done / max(total, 1)), text=t("overview.sample.progress", done=done, total=total)
        )

    with SAMPLE_CSV.open("rb") as fh:
        summary = import_file(
            state.engine(), fh, SAMPLE_CSV.name, predictor=state.predictor(), progress=progress
        )
    bar.empty()
    st.session_state[Keys.SAMPLE_SUMMARY] = summary
    state.invalidate()
    st.rerun()  # every tile below was computed before the import


def sample_button(primary: bool) -> None:
    """The "Load sample data" button with its demo-sample disclaimer."""
    if st.button(
        t("overview.sample.button"),
        key="load_sample",
        type="primary" if primary else "secondary",
        icon=":material/dataset:",
    ):
        load_sample()
    st.caption(t("overview.sample.caption"))


def empty_state() -> None:
    """What a newcomer sees before any review is stored: three ways in."""
    st.info(t("overview.empty"), icon=":material/info:")
    cols = st.columns(3)
    with cols[0], st.container(border=True):
        st.markdown(f"**{t('overview.start.sample')}**")
        sample_button(primary=True)
    with cols[1], st.container(border=True):
        st.markdown(f"**{t('overview.start.upload')}**")
        st.page_link("views/upload.py", label=t("page.upload"), icon=":material/upload_file:")
        st.page_link("views/scrape.py", label=t("page.scrape"), icon=":material/travel_explore:")
    with cols[2], st.container(border=True):
        st.markdown(f"**{t('overview.start.paste')}**")
        st.page_link("views/analyze.py", label=t("page.analyze"), icon=":material/edit_note:")


def kpi_tiles(frame: pd.DataFrame, summary: pd.DataFrame) -> None:
    """All-time reviews and products, then the last `PERIOD_DAYS` days of data (reviews and the
    three label shares) with their change against the period before. The window ends at the newest
    review, not today, so a historical upload still shows a meaningful change.
    """
    from core.analytics import kpis, trend

    lang = current_language()
    k = kpis(frame, days=PERIOD_DAYS)
    # weekly shares over the last quarter, as sparklines in the share tiles
    weekly = trend(frame, freq="W")
    weekly = weekly[weekly["period"] >= weekly["period"].max() - pd.Timedelta(weeks=SPARK_WEEKS)]
    help_text = t("overview.kpi.delta_help", days=PERIOD_DAYS)
    st.caption(t("overview.kpi.period", days=PERIOD_DAYS))
    cols = st.columns(6)
    cols[0].metric(t("overview.kpi.reviews"), number(len(frame), lang), border=True)
    cols[1].metric(t("overview.kpi.products"), number(len(summary), lang), border=True)
    recent = k["reviews"]
    cols[2].metric(
        t("overview.kpi.recent"),
        number(recent.value or 0, lang, ",.0f"),
        delta=None if recent.delta is None else number(recent.delta, lang, "+,.0f"),
        delta_color="off",
        help=help_text,
        border=True,
    )
    for col, label in zip(cols[3:], ("positive", "neutral", "negative"), strict=True):
        kpi = k[label]
        col.metric(
            label_name(label, lang),
            "–" if kpi.value is None else number(kpi.value, lang, ".0%"),
            delta=None if kpi.delta is None else f"{number(kpi.delta * 100, lang, '+.1f')} pp",
            delta_color=TILE_COLOR[label],
            help=help_text,
            border=True,
            chart_data=weekly.loc[weekly["label"] == label, "share"].fillna(0).round(3).tolist() or None,
            chart_type="area",
        )


def translate_reason(reason: str) -> str:
    """An analytics reason ("highest negative share and fastest-rising ...") in the UI language."""
    parts = [t(f"overview.reason.{part.strip().replace(' ', '_')}") for part in reason.split(" and ")]
    return t("overview.reason.join").join(parts)


def open_product(product: str) -> None:
    """Show `product` on the Products page (its selection is what the page opens with)."""
    st.session_state[Keys.SELECTED_PRODUCTS] = [product]
    st.session_state.pop("products_select", None)  # the page's own widget state would win otherwise
    st.switch_page("views/products.py")


def attention_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`products_needing_attention` with each product's agreement of labels and star ratings."""
    from core.analytics import products_needing_attention, rating_agreement

    table = products_needing_attention(frame, days=PERIOD_DAYS)
    if table.empty:
        return table
    agreement = rating_agreement(frame.loc[frame["product"].isin(table["product"])])
    table = table.merge(agreement[["product", "rated", "agreement"]], on="product", how="left")
    table = table.assign(
        negative_share=table["negative_share"] * 100,  # percent, shown without decimals
        change=table["change"] * 100,  # share points
        agreement=table["agreement"] * 100,
        reason=table["reason"].map(translate_reason),
    )
    return table[["product", "reviews", "negative_share", "change", "agreement", "reason"]]


def attention(frame: pd.DataFrame) -> None:
    """Products with the highest negative share or the fastest-rising one, each judged on its own
    latest month; how often their labels agree with the stars; a click on a row opens the product.
    """
    from core.analytics import LOW_AGREEMENT

    st.subheader(t("overview.attention.title"))
    st.caption(t("overview.attention.help", days=PERIOD_DAYS))
    table = attention_table(frame)
    if table.empty:
        st.success(t("overview.attention.none"), icon=":material/check_circle:")
        return
    low = LOW_AGREEMENT * 100
    event = st.dataframe(
        table,
        hide_index=True,
        key="attention_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "product": st.column_config.TextColumn(t("col.product")),
            "reviews": st.column_config.NumberColumn(t("col.reviews"), format="localized"),
            "negative_share": st.column_config.ProgressColumn(
                t("overview.attention.negative_share"),
                min_value=0.0,
                max_value=100.0,
                format="%.0f%%",
                color="red",
            ),
            "change": st.column_config.NumberColumn(
                t("overview.attention.change"),
                format="%+.1f pp",
                help=t("overview.kpi.delta_help", days=PERIOD_DAYS),
            ),
            "agreement": st.column_config.NumberColumn(
                t("overview.attention.agreement"),
                format="%.0f%%",
                help=t("overview.attention.agreement_help", low=f"{low:.0f}"),
            ),
            "reason": st.column_config.TextColumn(t("overview.attention.reason")),
        },
    )
    st.caption(t("overview.attention.click"))
    flagged = table.loc[table["agreement"] < low, "product"].tolist()
    if flagged:
        st.warning(
            t("overview.attention.low_agreement", n=len(flagged), low=f"{low:.0f}"), icon=":material/rule:"
        )
        st.page_link("views/model.py", label=t("overview.attention.adapt"), icon=":material/model_training:")
    rows = event.selection.rows if event is not None else []
    if rows:
        open_product(str(table.iloc[rows[0]]["product"]))


def model_notice(frame: pd.DataFrame) -> None:
    """Which model's labels the page shows, since when, and whether older labels are mixed in:
    activating a version changes shares, so an analyst comparing with last month's report must know.
    """
    model = state.active_model()
    since = model.since.strftime("%Y-%m-%d %H:%M UTC") if model.since else None
    key = "overview.model.since" if since else "overview.model.shipped"
    text = t(key, version=model.version, since=since)
    versions = frame["model_version"].dropna().astype(str) if "model_version" in frame else pd.Series([])
    others = int((versions != model.version).sum())
    if others:
        text += " " + t("overview.model.mixed", n=others, total=len(versions))
        st.warning(text, icon=":material/model_training:")
        st.page_link("views/model.py", label=t("overview.model.rescore"), icon=":material/refresh:")
    else:
        st.caption(f":material/model_training: {text} {t('overview.model.all')}")


def distribution(frame: pd.DataFrame) -> None:
    """Label shares per product with review counts; sorted by negative share or by name."""
    from core.analytics import label_shares

    lang = current_language()
    sort = st.segmented_control(
        t("overview.sort"),
        SORTS,
        default=SORTS[0],
        format_func=lambda k: t(f"overview.sort.{k}"),
        key="overview_sort",
    )
    st.plotly_chart(
        charts.distribution_chart(
            label_shares(frame, by="product"), lang, show_counts=True, sort=sort or SORTS[0]
        ),
        key="overview_distribution",
    )


def trend(frame: pd.DataFrame) -> None:
    """All reviews' shares over time, with a line where the active model changed."""
    from core.analytics import trend as trend_table

    st.plotly_chart(
        charts.trend_chart(trend_table(frame), current_language(), marks=state.activation_marks()),
        key="overview_trend",
    )


def main() -> None:
    """Render the page."""
    state.init_state()
    st.title(t("page.overview"))
    st.caption(t("overview.intro"))
    engine = state.engine()
    url = state.database_url()
    summary = state.product_summary(engine, url)
    if summary.empty:
        empty_state()
        return
    sample = st.session_state.get(Keys.SAMPLE_SUMMARY)
    if sample is not None:
        st.success(
            t("overview.sample.done", stored=sample.stored, duplicates=sample.duplicates),
            icon=":material/check:",
        )
    frame = state.reviews(engine, url)
    model_notice(frame)
    kpi_tiles(frame, summary)
    attention(frame)
    distribution(frame)
    trend(frame)
    with st.expander(t("overview.sample.more")):
        sample_button(primary=False)


if __name__ in {"__main__", "__page__"}:
    main()
