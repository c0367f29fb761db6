"""Text cleaning and the one tokeniser shared by training, serving, ingestion and scraping.

Two entry points:

* :func:`clean_text` makes text fit to store and show (HTML entities and tags removed, control
  characters dropped, whitespace collapsed). Uploaded and scraped reviews both pass through it.
* :func:`tokenize` turns text into the tokens the model sees. It is deliberately plain Python with
  a handful of compiled regular expressions and fast paths, because it runs on every review of a
  100k-row upload; the throughput benchmark (`make bench`) watches it.

Stopwords come from NLTK's own lists (vendored under `core/nlp/nltk_data`, loaded through
`nltk.corpus.stopwords`), minus the negation, contrast and intensity words that carry sentiment.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from functools import cache
from pathlib import Path

NLTK_DATA_DIR = Path(__file__).resolve().parent / "nltk_data"
SUPPORTED_LANGUAGES = ("english", "spanish")

# Placeholder tokens: plain words so the tokeniser keeps them and they can never collide with a
# real English or Spanish word.
URL_TOKEN = "xxurl"
USER_TOKEN = "xxuser"
NUMBER_TOKEN = "xxnum"
SMILE_TOKEN = "xxsmile"
FROWN_TOKEN = "xxfrown"
# A rating written in the text ("3/10", "4 out of 5", "five stars") by its share of the scale, in the
# bands IMDB uses for its labels (negative <= 4/10, positive >= 7/10); a 3-star review is the middle.
RATING_LOW_TOKEN = "xxratinglow"  # share <= 0.4
RATING_MID_TOKEN = "xxratingmid"
RATING_HIGH_TOKEN = "xxratinghigh"  # share >= 0.7

# Words NLTK calls stopwords that decide a review's polarity; they are never dropped.
KEEP_WORDS = frozenset(
    {
        # negation
        "no", "not", "nor", "never", "none", "nothing", "nobody", "nowhere", "neither", "cannot",
        "without", "ain", "aren", "couldn", "didn", "doesn", "hadn", "hasn", "haven", "isn", "mightn",
        "mustn", "needn", "shan", "shouldn", "wasn", "weren", "won", "wouldn", "don",
        # contrast
        "but", "however", "although", "though", "yet", "while", "whereas", "except", "despite",
        "against", "until",
        # intensity and quantity
        "very", "too", "so", "more", "most", "few", "only", "just", "again", "over", "off", "down",
        "up", "out", "all", "any", "same", "than",
        # Spanish: negation, contrast, intensity
        "ni", "nunca", "sin", "pero", "sino", "aunque", "muy", "mucho", "muchos", "poco", "nada",
        "más", "contra", "tampoco", "jamás", "algo", "tanto",
    }
)  # fmt: skip

_CONTRACTIONS = {
    "can't": ("can", "not"),
    "won't": ("will", "not"),
    "ain't": ("is", "not"),
    "shan't": ("shall", "not"),
    "let's": ("let", "us"),
    # tweets and reviews often drop the apostrophe
    "dont": ("do", "not"),
    "doesnt": ("does", "not"),
    "didnt": ("did", "not"),
    "cant": ("can", "not"),
    "wont": ("will", "not"),
    "isnt": ("is", "not"),
    "wasnt": ("was", "not"),
    "arent": ("are", "not"),
    "werent": ("were", "not"),
    "havent": ("have", "not"),
    "hasnt": ("has", "not"),
    "couldnt": ("could", "not"),
    "wouldnt": ("would", "not"),
    "shouldnt": ("should", "not"),
    "aint": ("is", "not"),
    "im": ("i", "am"),
    "ive": ("i", "have"),
}
_SUFFIXES = {"n't": "not", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would", "'m": "am"}

_TAG_RE = re.compile(r"<[^>]{0,500}>")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACE_RE = re.compile(r"\s+")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_USER_RE = re.compile(r"(?<!\w)@\w+")
_SMILE_RE = re.compile(r"(?<![\w/])(?:[:;=8][\-o*']?[)\]dDpP]|<3)(?!\w)")
_FROWN_RE = re.compile(r"(?<![\w/])[:;=8][\-o*']?[(\[/\\](?!\w)")
# A rating written in the text, matched on lowercased text ([0-9] rather than \d, so the ASCII and
# Unicode paths of raw_tokens agree); core.inference.explain reuses it to occlude a rating as one unit.
RATING_PATTERN = (
    r"(?<![\w.,/])(?:"
    r"(?P<num>[0-9]{1,3}(?:\.[0-9])?)\s*(?:/|out of)\s*(?P<den>10|5|100)(?![0-9/]|\.[0-9])"
    r"|(?P<stars>[0-9](?:\.[0-9])?|zero|no|one|two|three|four|five)[\s-]*stars?\b"
    r")"
)
_RATING_RE = re.compile(RATING_PATTERN)
_STAR_WORDS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NUMBER_RE = re.compile(r"(?<![^\W\d_])\d+(?:[.,:/]\d+)*")
_ELONGATION_RE = re.compile(r"(\w)\1{2,}|([!?.])\2{2,}")
# Cheap pre-checks (a plain scan is ~3x faster than the patterns above); skipping the substitution when
# they find nothing gives exactly the same tokens.
_ANY_TRIPLE_RE = re.compile(r"(.)\1\1", re.DOTALL)
_ANY_DIGIT_RE = re.compile(r"\d")
# ASCII twins of the patterns above, for the common all-ASCII text (input is lowercased by then)
_ASCII_NUMBER_RE = re.compile(r"(?<![a-z])\d+(?:[.,:/]\d+)*")
_ASCII_ELONGATION_RE = re.compile(r"([a-z0-9_!?.])\1\1+")
_ASCII_TOKEN_RE = re.compile(r"[a-z]+(?:'[a-z]+)*|[!?]")
EMOJI_CLASS = "[\u2600-\u27bf\U0001f300-\U0001faff]"  # emoji and dingbats
_EMOJI_RE = re.compile(EMOJI_CLASS)
_SKIN_TONES = frozenset("\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")  # modifiers, no sentiment
_TOKEN_RE = re.compile(
    r"[^\W\d_]+(?:'[^\W\d_]+)*"  # words, with inner apostrophes (don't, l'eau)
    r"|[!?]"  # exclamation and question marks carry sentiment
    rf"|{EMOJI_CLASS}"  # emoji VADER has no words for, one token each
)


def clean_text(text: str) -> str:
    """Make text fit to store and display: HTML unescaped and de-tagged, control characters
    dropped, whitespace collapsed. Never returns HTML; callers still render it as plain text.
    """
    if not text.isascii():  # ASCII is already NFKC-normal
        text = unicodedata.normalize("NFKC", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    text = _CONTROL_RE.sub("", text)
    if text.isascii():  # split() and \s agree on ASCII once control characters are gone; 2x faster
        return " ".join(text.split())
    return _SPACE_RE.sub(" ", text).strip()


def _squash(match: re.Match[str]) -> str:
    return match.group(0)[:2]


def tokenize(text: str, stopwords: frozenset[str] = frozenset()) -> list[str]:
    """Turn raw text into model tokens.

    Steps: unicode NFKC, HTML unescape and tag stripping, URLs / @mentions / ratings ("3/10",
    "five stars") / numbers / emoticons mapped to placeholder tokens, lowercase, elongations squashed
    to two letters ("soooo" → "soo"), emoji read as VADER's words for them ("👍" → "thumbs up",
    :func:`emoji_words`), contractions expanded ("didn't" → "did not"), regex tokenisation, then
    `stopwords` removed. Pass :func:`stopword_set` (or the set stored in a model's feature config) as
    `stopwords`; negations and contrast words are never in it.
    """
    tokens: list[str] = []
    for token in raw_tokens(text):
        tokens.extend(expand_token(token, stopwords))
    return tokens


def raw_tokens(text: str) -> list[str]:
    """The first half of :func:`tokenize`: normalised, lowercased regex tokens, before contraction
    expansion and stopword removal. Callers that map tokens to ids cache :func:`expand_token` per
    distinct raw token (see `core.nlp.features`), so the per-token work is one dictionary lookup.
    """
    if not text.isascii():  # ASCII is already NFKC-normal
        text = unicodedata.normalize("NFKC", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "://" in text or "www." in text:
        text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _USER_RE.sub(f" {USER_TOKEN} ", text)
    if ":" in text or ";" in text or "=" in text or "<3" in text:
        text = _SMILE_RE.sub(f" {SMILE_TOKEN} ", text)
        text = _FROWN_RE.sub(f" {FROWN_TOKEN} ", text)
    text = text.lower()
    # Python's `re` is several times faster on explicit ASCII classes than on Unicode ones; on ASCII
    # text the two pattern sets match exactly the same spans (a property test checks this).
    ascii_only = text.isascii()
    if "/" in text or "out of" in text or "star" in text:
        text = _RATING_RE.sub(_rating_token, text)
    if _has_ascii_digit(text) if ascii_only else _ANY_DIGIT_RE.search(text):
        text = (_ASCII_NUMBER_RE if ascii_only else _NUMBER_RE).sub(f" {NUMBER_TOKEN} ", text)
    if _ANY_TRIPLE_RE.search(text):
        text = (_ASCII_ELONGATION_RE if ascii_only else _ELONGATION_RE).sub(_squash, text)
    if ascii_only:
        return _ASCII_TOKEN_RE.findall(text)
    if _EMOJI_RE.search(text):
        text = _EMOJI_RE.sub(_emoji_as_words, text)
    if "\u2019" in text:
        text = text.replace("\u2019", "'")
    return _TOKEN_RE.findall(text)


def _emoji_as_words(match: re.Match[str]) -> str:
    return f" {emoji_words().get(match.group(0), match.group(0))} "


@cache
def emoji_words() -> dict[str, str]:
    """Emoji -> the words VADER reads for it (its `emoji_utf8_lexicon.txt`, lowercased): 👍 -> "thumbs up".

    Reviews say a lot with emoji, and our two corpora hold almost none (the tweets come as latin-1),
    so an emoji as a token of its own is unknown to the model; its words ("thumbs", "pouting",
    "heart") are known. Like VADER, one character at a time; the emoji presentation selector is
    ignored ("\u2764\ufe0f" is "\u2764") and skin-tone modifiers read as nothing.
    """
    from importlib.resources import files

    lexicon = files("vaderSentiment").joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8")
    words: dict[str, str] = {tone: "" for tone in _SKIN_TONES}
    for line in lexicon.splitlines():
        emoji, _, description = line.partition("\t")
        emoji = emoji.replace("\ufe0f", "")
        if len(emoji) == 1 and _EMOJI_RE.fullmatch(emoji) and emoji not in words:
            words[emoji] = description.split("\t")[0].lower().replace("\u2019", "'")
    return words


def _rating_token(match: re.Match[str]) -> str:
    """The rating placeholder for a `_RATING_RE` match; a share above 1 ("10/5", a date) stays as written."""
    if match["stars"] is not None:
        stars = match["stars"]
        share = _STAR_WORDS[stars] / 5 if stars in _STAR_WORDS else float(stars) / 5
    else:
        share = float(match["num"]) / float(match["den"])
    if share > 1:
        return match.group(0)
    token = RATING_LOW_TOKEN if share <= 0.4 else RATING_HIGH_TOKEN if share >= 0.7 else RATING_MID_TOKEN
    return f" {token} "


def _has_ascii_digit(text: str) -> bool:
    # ten substring scans, spelled out, are ~10x faster than one regex search (and 3x faster than any())
    return (
        "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
    )  # fmt: skip


def expand_token(token: str, stopwords: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """One raw token as model tokens: contractions expanded ("didn't" → "did", "not"), stopwords dropped."""
    expanded: tuple[str, ...] | None = _CONTRACTIONS.get(token)
    if expanded is None:
        if "'" not in token:
            return () if token in stopwords else (token,)
        expanded = _expand_suffix(token)
    return tuple(part for part in expanded if part not in stopwords)


def _expand_suffix(token: str) -> tuple[str, ...]:
    """`"wasn't"` → `("was", "not")`, `"they're"` → `("they", "are")`, `"john's"` → `("john",)`."""
    for suffix, word in _SUFFIXES.items():
        if token.endswith(suffix):
            stem = token[: -len(suffix)]
            return (stem, word) if stem else (word,)
    if token.endswith("'s"):
        return (token[:-2],)
    return tuple(token.split("'"))


_STOPWORDS_LOCK = threading.Lock()  # NLTK's lazy corpus loader is not safe to first-use from two threads


@cache
def stopword_set(language: str = "english") -> frozenset[str]:
    """NLTK's stopword list for `language`, loaded from the vendored corpus, minus
    :data:`KEEP_WORDS`. Contraction fragments ("don", "t") are handled by :func:`tokenize`.
    """
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no stopword list for {language!r}; supported: {', '.join(SUPPORTED_LANGUAGES)}")
    with _STOPWORDS_LOCK:
        import nltk  # imported here: it is slow to import and only training needs it

        if str(NLTK_DATA_DIR) not in nltk.data.path:
            nltk.data.path.insert(0, str(NLTK_DATA_DIR))
        from nltk.corpus import stopwords

        return frozenset(stopwords.words(language)) - KEEP_WORDS
