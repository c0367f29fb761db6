"""Labels from ratings, the data sufficiency check, and language detection."""

import pytest

from core.ingestion.rating_labels import DataRequirements, RatingCutoffs, insufficiency, label_counts
from core.nlp.language import UNKNOWN, detect_language, dominant_language, foreign_language_warning


def _five(stars: int) -> float:
    return (stars - 1) / 4


def _ten(points: int) -> float:
    return (points - 1) / 9


@pytest.mark.parametrize(
    ("rating", "label"),
    [(_five(1), "negative"), (_five(2), "negative"), (_five(3), "neutral"), (_five(4), "positive"),
     (_five(5), "positive"), (_ten(4), "negative"), (_ten(5), "neutral"), (_ten(6), "neutral"),
     (_ten(7), "positive"), (None, None), (float("nan"), None)],
)  # fmt: skip
def test_default_cutoffs_follow_the_documented_scales(rating, label):
    assert RatingCutoffs().label(rating) == label


def test_cutoffs_are_adjustable_and_validated():
    strict = RatingCutoffs(negative_max=0.2, positive_min=0.9)
    assert strict.label(_five(2)) == "neutral"
    assert strict.label(_five(4)) == "neutral"
    with pytest.raises(ValueError):
        RatingCutoffs(negative_max=0.7, positive_min=0.6)


def test_label_counts_ignore_unrated_and_list_every_class():
    assert label_counts(["positive", None, "positive", "negative"]) == {
        "negative": 1,
        "neutral": 0,
        "positive": 2,
    }


def test_insufficiency_names_what_is_missing():
    assert insufficiency({"negative": 100, "neutral": 50, "positive": 100}) is None
    message = insufficiency({"negative": 100, "neutral": 5, "positive": 40})
    assert "145 rated reviews (need at least 200)" in message
    assert "neutral has 5" in message
    assert "negative" not in message.split("too few in a class:")[1]
    assert insufficiency({"negative": 3, "neutral": 3, "positive": 3}, DataRequirements(9, 3)) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The battery died after two days and it is not worth the money", "english"),
        ("La batería murió a los dos días y no vale lo que cuesta", "spanish"),
        ("Great", UNKNOWN),
        ("", UNKNOWN),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_foreign_language_warning_only_when_a_noticeable_share_is_foreign():
    english = ["I love this phone, the screen is great and it was cheap"] * 30
    spanish = ["No me gusta nada, es el peor teléfono que he tenido"] * 10
    assert dominant_language(english + spanish) == "english"
    assert foreign_language_warning(english, "english") is None
    warning = foreign_language_warning(english + spanish, "english")
    assert warning is not None and "25% of these texts look Spanish" in warning
