"""Preprocessing: negations and contrast survive, placeholders, contractions, elongation, HTML."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.nlp.text import (
    KEEP_WORDS,
    NUMBER_TOKEN,
    RATING_HIGH_TOKEN,
    RATING_LOW_TOKEN,
    RATING_MID_TOKEN,
    URL_TOKEN,
    USER_TOKEN,
    clean_text,
    stopword_set,
    tokenize,
)

STOP = stopword_set("english")


@pytest.mark.parametrize(
    ("text", "must_have"),
    [
        ("This is not good", ["not", "good"]),
        ("No problems at all", ["no", "problems"]),
        ("Nice screen but the battery is weak", ["but"]),
        ("I will never buy this again", ["never"]),
        ("It wasn't bad", ["not", "bad"]),
        ("I can't recommend it", ["not"]),
        ("dont buy", ["not"]),
    ],
)
def test_sentiment_words_survive_stopword_removal(text: str, must_have: list[str]) -> None:
    tokens = tokenize(text, STOP)
    for word in must_have:
        assert word in tokens, (text, tokens)


def test_stopwords_never_contain_negation_contrast_or_intensity() -> None:
    assert not (STOP & KEEP_WORDS)
    assert {"the", "is", "at"} <= STOP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.com/x now", URL_TOKEN),
        ("thanks @united", USER_TOKEN),
        ("waited 45 minutes", NUMBER_TOKEN),
        ("love it :)", "xxsmile"),
        ("hate it :(", "xxfrown"),
    ],
)
def test_placeholders(text: str, expected: str) -> None:
    assert expected in tokenize(text)


def test_contractions_and_elongation() -> None:
    assert tokenize("they're great, I'd say it's sooooo goooood") == [
        "they",
        "are",
        "great",
        "i",
        "would",
        "say",
        "it",
        "soo",
        "good",
    ]
    assert tokenize("didn't") == ["did", "not"]


def test_html_is_unescaped_and_stripped() -> None:
    assert tokenize("<b>Great</b> &amp; cheap<br />") == ["great", "cheap"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I give it 3/10.", ["give", RATING_LOW_TOKEN]),
        ("10/10 would buy", [RATING_HIGH_TOKEN, "would", "buy"]),
        ("4 out of 5", [RATING_HIGH_TOKEN]),
        ("Five stars!", [RATING_HIGH_TOKEN, "!"]),
        ("1 star, broke", [RATING_LOW_TOKEN, "broke"]),
        ("3 stars, it is ok", [RATING_MID_TOKEN, "ok"]),
        ("7.5/10", [RATING_HIGH_TOKEN]),
        ("on 10/5/2020 it broke", [NUMBER_TOKEN, "broke"]),  # a date, not a rating
        ("2/3 of the way", [NUMBER_TOKEN, "way"]),
        ("10 stars", [NUMBER_TOKEN, "stars"]),  # more than five stars is no scale we know
        ("the stars of the film", ["stars", "film"]),
    ],
)
def test_ratings_written_in_the_text(text: str, expected: list[str]) -> None:
    assert tokenize(text, STOP) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Works \U0001f44d", ["works", "thumbs", "up"]),
        ("\U0001f44e\U0001f3fd", ["thumbs", "down"]),  # a skin tone adds nothing
        ("\u2764\ufe0f it", ["red", "heart"]),  # the presentation selector is ignored
        ("\U0001f621", ["pouting", "face"]),
        ("\u2605\u2606", ["\u2605", "\u2606"]),  # no VADER words: the symbol stays a token of its own
    ],
)
def test_emoji_read_as_vader_words(text: str, expected: list[str]) -> None:
    assert tokenize(text, STOP) == expected


_ASCII_PIECES = [
    *"abcXYZ019 '_.!?:;=-)(/@&<>#\n",
    *("soooo", "don't", "www.", "://", "<3", "&amp;", "/10", " out of 5", " stars", "five"),
]
_ASCII_TEXT = st.lists(st.sampled_from(_ASCII_PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_ASCII_TEXT)
def test_ascii_fast_path_matches_the_unicode_patterns(text: str) -> None:
    # An em dash keeps the text non-ASCII (NFKC leaves it) without adding a token, so the second
    # call takes the Unicode patterns; both must give the same tokens.
    assert tokenize(text, STOP) == tokenize(text + " \u2014", STOP)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1fb  c\t\n", "ab c"),  # control characters dropped before whitespace is collapsed
        (" x &amp; y ", "x & y"),
        ("caf\u00e9\u00a0ok \u200b!", "café ok !"),
        ("<b>Great</b>   phone\r\n", "Great phone"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_stopwords_load_once_from_many_threads() -> None:
    # a fresh interpreter: the first use of NLTK's lazy corpus loader is what raced
    import subprocess
    import sys

    from core.settings import REPO_ROOT

    script = (
        "import threading\n"
        "from core.nlp.text import stopword_set\n"
        "out = []\n"
        "ts = [threading.Thread(target=lambda: out.append(stopword_set('spanish'))) for _ in range(8)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "assert len(out) == 8 and all(r == out[0] and 'de' in r for r in out)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
