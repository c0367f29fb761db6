"""Aspects in the store: computed at import and re-scoring, per model version, backfilled for older
stores, rules applied when read, and the `python -m core.aspects` command."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text

from core.aspect_report import aspect_table, quotes, rules_from
from core.ingestion.rows import ReviewRow
from core.storage import engine as engine_module
from core.storage.aspect_scoring import backfill
from core.storage.aspects import add_rule, aspect_rules, delete_rule, mentions_frame, uncovered_count
from core.storage.importer import delete_import, import_rows, rescore
from core.storage.queries import reviews_frame
from core.storage.schema import AppSetting, AspectCoverage, AspectMention
from tests.core.storage.test_importer import RenamedPredictor

KETTLE = "Kettle K1"
TEXTS = [
    "Great sound but the battery died.",
    "No wobble at all, very stable.",
    "Shipping was slow and the box was crushed.",
    "The lid leaks every time. The lid is flimsy.",
    "The lid cracked after a week, the lid is useless.",
    "Love the lid design, it clicks shut.",
    "It leaks a little from the spout.",
]


def stored(engine: Engine, predictor: Any, texts: list[str] = TEXTS) -> int:
    rows = [ReviewRow(text=t, product=KETTLE, rating=0.5) for t in texts]
    return import_rows(engine, rows, source="manual", source_name="test", predictor=predictor).import_id


def review_ids(engine: Engine) -> dict[str, int]:
    reviews = reviews_frame(engine, [KETTLE])
    return dict(zip(reviews["text"], reviews["review_id"].astype(int), strict=True))


def test_import_stores_mentions_judged_by_their_clause(engine: Engine, predictor: Any) -> None:
    stored(engine, predictor)
    frame = mentions_frame(engine, [KETTLE])
    first = frame[frame["review_id"] == review_ids(engine)[TEXTS[0]]].set_index("aspect")["label"]
    assert first["cat:sound"] == "positive" and first["cat:battery"] == "negative"
    wobble = frame[frame["aspect"] == "term:wobble"].iloc[0]
    assert wobble["negated"] and wobble["label"] != "negative"  # "no wobble" is no complaint
    assert {"cat:delivery", "cat:packaging", "term:lid", "cat:leaks"} <= set(frame["aspect"])
    assert (frame["unit_end"] > frame["unit_start"]).all()
    with engine.connect() as conn:  # every stored review is covered, mentions or not
        assert conn.execute(select(func.count()).select_from(AspectCoverage)).scalar_one() == len(TEXTS)
    assert uncovered_count(engine) == 0


def test_rescore_adds_the_new_versions_mentions(engine: Engine, predictor: Any) -> None:
    stored(engine, predictor)
    rescore(engine, None, RenamedPredictor(predictor, "v2"))
    latest = mentions_frame(engine, [KETTLE])
    old = mentions_frame(engine, [KETTLE], predictor.version)
    assert len(latest) == len(old) > 0
    with engine.connect() as conn:
        versions = set(conn.execute(select(AspectMention.model_version).distinct()).scalars())
    assert versions == {predictor.version, "v2"}


def test_a_store_from_before_aspects_is_upgraded_and_backfilled(engine: Engine, predictor: Any) -> None:
    stored(engine, predictor)
    with engine_module.write_transaction(engine) as conn:  # as schema version 2 left it
        conn.execute(text("DROP TABLE aspect_mentions"))
        conn.execute(text("DROP TABLE aspect_coverage"))
        conn.execute(text("DROP TABLE aspect_rules"))
        conn.execute(AppSetting.__table__.update().values(value="2"))
    assert engine_module.ensure_schema(engine) == engine_module.SCHEMA_VERSION
    assert engine_module.schema_version(engine) == engine_module.SCHEMA_VERSION
    assert uncovered_count(engine, [KETTLE]) == len(TEXTS)
    assert backfill(engine, [KETTLE]) == len(TEXTS)
    assert uncovered_count(engine) == 0 and backfill(engine) == 0
    assert "term:lid" in set(mentions_frame(engine, [KETTLE])["aspect"])


def test_deleting_an_import_deletes_its_mentions(engine: Engine, predictor: Any) -> None:
    import_id = stored(engine, predictor)
    delete_import(engine, import_id)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AspectMention)).scalar_one() == 0


def test_rules_rename_merge_hide_and_add(engine: Engine, predictor: Any) -> None:
    stored(engine, predictor)
    frame = mentions_frame(engine, [KETTLE])
    names = aspect_table(frame, len(TEXTS))["name"].tolist()
    assert "Lid" in names and "Leaks & spills" in names
    with pytest.raises(ValueError, match="one of"):
        add_rule(engine, "explode", "term:lid")
    with pytest.raises(ValueError, match="new name"):
        add_rule(engine, "rename", "term:lid", " ")
    with pytest.raises(ValueError, match="at least one word"):
        add_rule(engine, "add", "Stability", " , ")
    rename = add_rule(engine, "rename", "term:lid", "Lid & seal")
    add_rule(engine, "merge", "cat:leaks", "term:lid")
    add_rule(engine, "hide", "cat:packaging")
    add_rule(engine, "add", "Stability", "wobble, stable")
    rules = rules_from(aspect_rules(engine))
    table = aspect_table(frame, len(TEXTS), rules).set_index("aspect")
    assert table.loc["term:lid", "name"] == "Lid & seal"
    assert "cat:leaks" not in table.index and "cat:packaging" not in table.index
    assert "custom:Stability" in table.index and table.loc["custom:Stability", "name"] == "Stability"
    delete_rule(engine, rename)
    assert (
        aspect_table(frame, len(TEXTS), rules_from(aspect_rules(engine)))
        .set_index("aspect")
        .loc["term:lid", "name"]
        == "Lid"
    )


def test_quotes_are_the_commoner_side_most_confident_first(engine: Engine, predictor: Any) -> None:
    stored(engine, predictor)
    frame = mentions_frame(engine, [KETTLE])
    texts = {review_id: text for text, review_id in review_ids(engine).items()}
    picked = quotes(frame, texts, "term:lid")
    assert 1 <= len(picked) <= 3 and all(q["label"] == "negative" for q in picked)
    assert all("lid" in q["text"].lower() for q in picked)


def test_cli_prints_one_json_object_per_aspect(
    store_url: str, predictor: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from core.cli.aspects import main
    from core.storage.engine import get_engine

    stored(get_engine(store_url), predictor, TEXTS * 2)
    assert main(["--product", KETTLE]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines and list(lines[0]) == [
        "aspect", "mentions", "negative_share", "neutral_share", "positive_share", "quotes",
    ]  # fmt: skip
    assert [line["mentions"] for line in lines] == sorted((line["mentions"] for line in lines), reverse=True)
    lid = next(line for line in lines if line["aspect"] == "Lid")
    assert (
        0 < len(lid["quotes"]) <= 3 and abs(sum(v for k, v in lid.items() if k.endswith("share")) - 1) < 1e-3
    )
    assert main(["--product", "Nope"]) == 1
    assert "no product named 'Nope'" in capsys.readouterr().err


@pytest.fixture
def store_url(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from core.settings import get_settings
    from core.storage.engine import dispose_engines

    url = f"sqlite:///{tmp_path}/cli.sqlite"
    monkeypatch.setenv("SENTIMENT_DB_URL", url)
    get_settings.cache_clear()
    yield url
    dispose_engines(url)
    get_settings.cache_clear()


def test_mentions_need_a_review(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.execute(delete(AspectMention)).rowcount == 0
