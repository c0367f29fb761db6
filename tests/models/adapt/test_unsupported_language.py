"""Adaptation data in a language the product does not support (Chinese) gets a warning, instead of
being silently tokenised as English."""

from __future__ import annotations

from core.nlp.language import unrecognised_language_warning

CHINESE = ["电池续航很好，非常满意", "质量太差了，用了两天就坏了", "还可以，价格有点贵", "Great phone"]


def test_chinese_reviews_get_a_warning() -> None:
    assert unrecognised_language_warning(CHINESE, "english") == (
        "Warning: 75% of the reviews are in a language this product does not support "
        "(supported: english, spanish); they are tokenised as english, so the adapted model may not be "
        "reliable."
    )


def test_short_english_and_spanish_reviews_get_none() -> None:
    texts = ["Great!", "Bad", "Muy bueno, me encantó", "No funciona", "ok"]
    assert unrecognised_language_warning(texts, "english") is None
