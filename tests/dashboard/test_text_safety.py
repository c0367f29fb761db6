"""User text on screen: escaped Markdown with colour directives only, and every UI string translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.highlight import Span, escape_markdown, highlight_markdown

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
WJ = "\u2060"  # WORD JOINER: invisible, breaks GFM's autolink patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\<\/script\>"),
        ("[click](javascript:alert(1))", r"\[click\]\(javascript\:alert\(1\)\)"),
        ("![x](http://t.example/p.png)", r"\!\[x\]\(http\:" + WJ + r"\/\/t\.example\/p\.png\)"),
        # bare URLs and e-mail addresses: GFM would link them even escaped, so a word joiner splits each
        (
            "https://e.example/a www.e.example",
            r"https\:" + WJ + r"\/\/e\.example\/a www" + WJ + r"\.e\.example",
        ),
        ("WWW.E.EXAMPLE me@e.example", "WWW" + WJ + r"\.E\.EXAMPLE me" + WJ + r"\@e\.example"),
        ("# heading\n1. item", r"\# heading 1\. item"),
        ("$x^2$ :red[hi] `code` ~~s~~ | a |", r"\$x\^2\$ \:red\[hi\] \`code\` \~\~s\~\~ \| a \|"),
        ("ünïcödé — fine", "ünïcödé — fine"),
    ],
)
def test_escape_markdown_makes_every_markdown_character_literal(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


def unescape(markdown: str) -> str:
    """What a CommonMark renderer shows for backslash escapes, word joiners aside (used to check
    nothing was lost)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WJ, "")


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


def test_highlight_keeps_urls_inert_when_a_span_ends_inside_one() -> None:
    text = "see www.e.example and https://e.example now"
    www, https = text.index("www"), text.index("https")
    # a plain (too weak to colour) span ending at "www" / "https:" must not undo the joiner
    for spans in (
        [Span(www, www + 3, 0.01), Span(0, 3, 1.0)],
        [Span(https, https + 6, 0.01), Span(0, 3, 1.0)],
    ):
        markdown = highlight_markdown(text, spans)
        assert "www" + WJ + r"\." in markdown and r"https\:" + WJ + r"\/\/" in markdown, markdown
        assert unescape(re.sub(r":green-background\[(\w+)\]", r"\1", markdown)) == text


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
