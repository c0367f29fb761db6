"""Upload page → "Manage products and imports": each change is reviewed, then confirmed or cancelled
(issue 17, item 11)."""

from __future__ import annotations

from core.storage.importer import import_file
from core.storage.queries import list_imports, product_names, reviews_frame
from tests.dashboard.apptest import open_page, shown

SPEAKERS = (
    b"product,date,review\n"
    b"Zephyr Speaker,2026-05-01,The battery lasts all week.\n"
    b"Zephyr Spkr old,2026-05-02,The strap broke after a day.\n"
    b"Kettle,2026-05-03,Boils fast and quietly.\n"
)


def stored(store, predictor, tmp_path) -> int:
    path = tmp_path / "speakers.csv"
    path.write_bytes(SPEAKERS)
    return import_file(store, path, predictor=predictor).import_id


def run(element):
    """Run the app (an AppTest, or a widget just set) and check nothing raised."""
    at = element.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_rename_needs_a_confirmation_and_cancel_changes_nothing(store, predictor, tmp_path) -> None:
    stored(store, predictor, tmp_path)
    at = run(open_page("upload"))
    assert any(h.value == "Manage products and imports" for h in at.subheader)
    at.radio(key="manage_action").set_value("rename")
    at.selectbox(key="manage_product").set_value("Kettle")
    at.text_input(key="manage_new_name").input("  Steel   Kettle ")
    run(at.button(key="manage_review").click())
    assert "Rename “Kettle” to “Steel Kettle”?" in shown(at.warning[-1].value)
    assert product_names(store) == ["Kettle", "Zephyr Speaker", "Zephyr Spkr old"]  # not yet
    run(at.button(key="manage_cancel").click())
    assert not at.get("button") or all(b.key != "manage_confirm" for b in at.button)
    assert product_names(store) == ["Kettle", "Zephyr Speaker", "Zephyr Spkr old"]

    run(at.button(key="manage_review").click())
    run(at.button(key="manage_confirm").click())
    assert product_names(store) == ["Steel Kettle", "Zephyr Speaker", "Zephyr Spkr old"]
    assert "Renamed “Kettle” to “Steel Kettle”." in shown(at.success[0].value)


def test_merge_and_a_taken_name(store, predictor, tmp_path) -> None:
    stored(store, predictor, tmp_path)
    at = run(open_page("upload"))
    at.radio(key="manage_action").set_value("rename")
    at.selectbox(key="manage_product").set_value("Kettle")
    at.text_input(key="manage_new_name").input("zephyr  SPEAKER")
    run(at.button(key="manage_review").click())
    assert "already exists: merge the two instead" in shown(at.warning[-1].value)
    assert all(b.key != "manage_confirm" for b in at.button)

    run(at.radio(key="manage_action").set_value("merge"))
    at.multiselect(key="manage_sources").set_value(["Zephyr Spkr old"])
    at.selectbox(key="manage_target").set_value("Zephyr Speaker")
    run(at.button(key="manage_review").click())
    assert "Merge “Zephyr Spkr old” (1 reviews) into “Zephyr Speaker”?" in shown(at.warning[-1].value)
    run(at.button(key="manage_confirm").click())
    assert product_names(store) == ["Kettle", "Zephyr Speaker"]
    assert (reviews_frame(store)["product"] == "Zephyr Speaker").sum() == 2


def test_delete_an_import_in_spanish(store, predictor, tmp_path) -> None:
    import_id = stored(store, predictor, tmp_path)
    at = run(open_page("upload", {"lang": "es"}))
    assert any(h.value == "Gestionar productos e importaciones" for h in at.subheader)
    run(at.radio(key="manage_action").set_value("delete_import"))
    at.selectbox(key="manage_import").set_value(import_id)
    run(at.button(key="manage_review").click())
    assert "¿Eliminar la importación n.º" in shown(at.warning[-1].value) and "3 reseñas" in shown(
        at.warning[-1].value
    )
    run(at.button(key="manage_confirm").click())
    assert product_names(store) == [] and list_imports(store).empty
    assert "eliminada con sus 3 reseñas" in shown(at.success[0].value)
