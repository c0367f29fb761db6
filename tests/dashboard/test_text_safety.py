"""User text on screen: escaped Markdown with colour directives only, and every UI string translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.highlight import Span, escape_markdown, highlight_markdown

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\<\/script\>"),
        ("[click](javascript:alert(1))", r"\[click\]\(javascript\:alert\(1\)\)"),
        ("![x](http://t.example/p.png)", r"\!\[x\]\(http\:\/\/t\.example\/p\.png\)"),
        ("# heading\n1. item", r"\# heading 1\. item"),
        ("$x^2$ :red[hi] `code` ~~s~~ | a |", r"\$x\^2\$ \:red\[hi\] \`code\` \~\~s\~\~ \| a \|"),
        ("ünïcödé — fine", "ünïcödé — fine"),
    ],
)
def test_escape_markdown_makes_every_markdown_character_literal(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def unescape(markdown: str) -> str:
    """What a CommonMark renderer shows for backslash escapes (used to check nothing was lost)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def test_highlight_colours_only_the_scored_words() -> None:
    text = "Great sound, but it broke!"
    spans = [Span(0, 5, 0.9), Span(20, 25, -1.0), Span(6, 11, 0.05)]
    markdown = highlight_markdown(text, spans)
    assert markdown == r":green-background[Great] sound\, but it :red-background[broke]\!"


def test_highlight_weaker_words_get_coloured_text_and_hostile_text_stays_inert() -> None:
    text = "<script>x</script> **awful** [link](http://e.example)"
    start = text.index("awful")
    markdown = highlight_markdown(text, [Span(start, start + 5, -1.0), Span(0, 8, 0.3)])
    # the only unescaped Markdown is our own directives
    without_directives = re.sub(r":(red|green)(-background)?\[([^\]]*)\]", r"\3", markdown)
    assert not re.search(r"(?<!\\)[*\[\]<>()`_#!]", without_directives)
    assert ":green[\\<script\\>]" in markdown
    assert ":red-background[awful]" in markdown
    assert unescape(without_directives) == text


def test_highlight_ignores_bad_and_overlapping_spans() -> None:
    text = "fine"
    assert highlight_markdown(text, [Span(0, 10, 1.0), Span(2, 1, 1.0)]) == "fine"
    assert highlight_markdown(text, [Span(0, 4, 1.0), Span(1, 3, -1.0)]) == ":green-background[fine]"
    assert highlight_markdown("", []) == ""


def test_every_key_has_english_and_spanish() -> None:
    for key, entry in i18n.STRINGS.items():
        assert set(entry) == {"en", "es"}, key
        assert entry["en"].strip() and entry["es"].strip(), key
        # the same placeholders in both languages
        assert set(re.findall(r"{(\w+)", entry["en"])) == set(re.findall(r"{(\w+)", entry["es"])), key


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b(?:t|translate)\(\s*\"([a-z_.\-]+)\"", source))
    missing = sorted(key for key in used if key not in i18n.STRINGS)
    assert not missing, missing
    assert len(used) > 150


def test_label_names_and_fallbacks() -> None:
    assert [i18n.label_name(label, "es") for label in ("negative", "neutral", "positive")] == [
        "Negativo",
        "Neutral",
        "Positivo",
    ]
    assert i18n.label_name("positive") == "Positive"
    assert i18n.translate("products.choose_help", "es", n=4) == "Elija hasta 4 para comparar."
    assert i18n.translate("no.such.key") == "no.such.key"
