"""Sentence and clause spans: punctuation, abbreviations, decimals, ellipses, bullets, Spanish."""

from __future__ import annotations

import pytest

from core.nlp.sentences import has_contrast, split_clauses, split_sentences, split_units


def pieces(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[a:b] for a, b in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Great sound. Would buy again!", ["Great sound.", "Would buy again!"]),
        ("Really?! Yes… no", ["Really?!", "Yes… no"]),
        (
            "It costs approx. 3.5 dollars, e.g. cheap. Fine",
            ["It costs approx. 3.5 dollars, e.g. cheap.", "Fine"],
        ),
        ("Mr. Smith agrees. U.S. shipping was slow.", ["Mr. Smith agrees.", "U.S. shipping was slow."]),
        ("It was fine... until it broke. Sad", ["It was fine... until it broke.", "Sad"]),
        ("It was fine... Then it broke", ["It was fine...", "Then it broke"]),
        ("- great fit\n* bad colour\n1. too long\n• soft", ["great fit", "bad colour", "too long", "soft"]),
        ("first line\nsecond line", ["first line", "second line"]),
        ("¿Funciona? ¡Sí! Llegó tarde ¡qué pena!", ["¿Funciona?", "¡Sí!", "Llegó tarde", "¡qué pena!"]),
        ("I gave it 5. Then it broke.", ["I gave it 5.", "Then it broke."]),
        ("   ", []),
        ("...", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert pieces(text, split_sentences(text)) == expected


def test_clauses_split_at_contrast_words_in_english_and_spanish() -> None:
    text = "Great sound but the battery died. La talla es buena, pero el color no. Sin embargo llegó tarde."
    assert pieces(text, split_units(text)) == [
        "Great sound",
        "but the battery died.",
        "La talla es buena",
        "pero el color no.",
        "Sin embargo llegó tarde.",
    ]
    assert has_contrast(text) and not has_contrast("Butter is great")  # whole words only


def test_a_leading_although_splits_at_the_comma() -> None:
    text = "Although the sound is great, the battery died."
    assert pieces(text, split_clauses(text, (0, len(text)))) == [
        "Although the sound is great",
        "the battery died.",
    ]
    plain = "Nothing to split here."
    assert split_clauses(plain, (0, len(plain))) == [(0, len(plain))]
