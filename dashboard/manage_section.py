"""Upload page → "Manage products and imports": rename, merge or delete a product, delete one import.

Every change takes two clicks: **Review the change** says what it will touch (reviews, products),
then **Confirm** runs it as one transaction (:mod:`core.storage.manage`) or **Cancel** drops it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.storage import manage, queries
from core.storage.importer import delete_import, delete_product
from core.storage.schema import product_key
from dashboard import state
from dashboard.highlight import escape_markdown
from dashboard.i18n import current_language, t, translate
from dashboard.state import Keys

ACTIONS = ("rename", "merge", "delete_product", "delete_import")


@dataclass(frozen=True)
class Pending:
    """A change reviewed and waiting for Confirm."""

    action: str
    products: tuple[str, ...] = ()  # rename/delete: (the product,); merge: the sources
    value: str = ""  # rename: the new name; merge: the target
    import_id: int | None = None


def import_label(row: pd.Series) -> str:
    """One import in the picker: id, file or URL, when, reviews stored."""
    when = row["started_at"].strftime("%Y-%m-%d %H:%M") if pd.notna(row["started_at"]) else ""
    return t(
        "manage.import_option",
        id=int(row["import_id"]),
        name=row["source_name"],
        when=when,
        n=int(row["stored"]),
    )


def describe(pending: Pending) -> str:
    """What Confirm will do, in the UI language (names quoted, markdown escaped by the caller)."""
    engine = state.engine()
    if pending.action == "rename":
        return t("manage.confirm.rename", old=pending.products[0], new=manage.clean_name(pending.value))
    if pending.action == "merge":
        reviews = sum(manage.product_impact(engine, name) for name in pending.products)
        names = ", ".join(f"“{name}”" for name in pending.products)
        return t("manage.confirm.merge", sources=names, target=pending.value, n=reviews)
    if pending.action == "delete_product":
        name = pending.products[0]
        return t("manage.confirm.delete_product", name=name, n=manage.product_impact(engine, name))
    assert pending.import_id is not None
    reviews, products = manage.import_impact(engine, pending.import_id)
    return t(
        "manage.confirm.delete_import", id=pending.import_id, n=reviews, products=", ".join(products) or "—"
    )


def apply(pending: Pending) -> str:
    """Run the change; the message to show. Raises ManageError / LookupError with the reason."""
    engine = state.engine()
    if pending.action == "rename":
        name = manage.rename_product(engine, pending.products[0], pending.value)
        replace_selection({pending.products[0]: name})
        return t("manage.done.rename", old=pending.products[0], new=name)
    if pending.action == "merge":
        result = manage.merge_products(engine, list(pending.products), pending.value)
        replace_selection(dict.fromkeys(pending.products, pending.value))
        return t("manage.done.merge", target=pending.value, moved=result.moved, duplicates=result.duplicates)
    if pending.action == "delete_product":
        deleted = delete_product(engine, pending.products[0])
        return t("manage.done.delete_product", name=pending.products[0], n=deleted)
    assert pending.import_id is not None
    deleted = delete_import(engine, pending.import_id)
    return t("manage.done.delete_import", id=pending.import_id, n=deleted)


def replace_selection(renamed: dict[str, str]) -> None:
    """Keep the Products page's selection pointing at the products' new names."""
    selected = [renamed.get(name, name) for name in st.session_state.get(Keys.SELECTED_PRODUCTS, [])]
    st.session_state[Keys.SELECTED_PRODUCTS] = list(dict.fromkeys(selected))


def choose(products: list[str], imports: pd.DataFrame) -> Pending | str:
    """The action and its inputs; a Pending change, or the reason (translated) it cannot be one."""
    lang = current_language()  # the option labels are formatted again outside this run (AppTest)
    action = st.radio(
        t("manage.action"),
        ACTIONS,
        format_func=lambda a: translate(f"manage.action.{a}", lang),
        key="manage_action",
        horizontal=True,
    )
    if action == "delete_import":
        if imports.empty:
            return t("manage.no_imports")
        labels = {int(row["import_id"]): import_label(row) for _, row in imports.iterrows()}
        import_id = st.selectbox(
            t("manage.import"), list(labels), format_func=labels.__getitem__, key="manage_import"
        )
        return Pending(action, import_id=int(import_id))
    if not products:
        return t("manage.no_products")
    if action == "merge":
        sources = st.multiselect(t("manage.merge_sources"), products, key="manage_sources")
        target = st.selectbox(t("manage.merge_target"), products, key="manage_target")
        chosen = tuple(name for name in sources if name != target)
        return Pending(action, chosen, target) if chosen else t("manage.merge_need")
    product = st.selectbox(t("manage.product"), products, key="manage_product")
    if action == "rename":
        new = st.text_input(t("manage.new_name"), key="manage_new_name", max_chars=manage.NAME_MAX)
        if not manage.clean_name(new):
            return t("manage.rename_need")
        taken = [p for p in products if p != product and product_key(p) == product_key(new)]
        if taken:
            return t("manage.rename_taken", name=taken[0])
        return Pending(action, (product,), new)
    return Pending(action, (product,))


def render() -> None:
    """The section: pick a change, review what it touches, confirm or cancel."""
    st.subheader(t("manage.title"))
    st.caption(t("manage.intro"))
    done = st.session_state.get(Keys.MANAGE_DONE)
    if done:
        st.success(escape_markdown(done), icon=":material/check_circle:")
    engine = state.engine()
    choice = choose(queries.product_names(engine), queries.list_imports(engine, limit=200))
    if st.button(t("manage.review"), key="manage_review", icon=":material/fact_check:"):
        st.session_state[Keys.MANAGE_DONE] = None
        if isinstance(choice, str):
            st.session_state[Keys.MANAGE_PENDING] = None
            st.warning(escape_markdown(choice), icon=":material/info:")
        else:
            st.session_state[Keys.MANAGE_PENDING] = choice
    pending: Pending | None = st.session_state.get(Keys.MANAGE_PENDING)
    if pending is None:
        return
    st.warning(escape_markdown(describe(pending)), icon=":material/warning:")
    left, right = st.columns(2)
    if left.button(t("manage.confirm"), key="manage_confirm", type="primary"):
        st.session_state[Keys.MANAGE_PENDING] = None
        try:
            st.session_state[Keys.MANAGE_DONE] = apply(pending)
        except (manage.ManageError, LookupError) as exc:  # e.g. deleted meanwhile in another tab
            st.session_state[Keys.MANAGE_DONE] = None
            st.error(escape_markdown(t("manage.failed", error=str(exc))), icon=":material/error:")
            return
        state.invalidate()
        st.rerun()
    if right.button(t("manage.cancel"), key="manage_cancel"):
        st.session_state[Keys.MANAGE_PENDING] = None
        st.rerun()
