"""Aspect mentions in a review: which product facets each sentence (or contrast clause) talks about.

Pure and fast (no model): :class:`AspectExtractor` finds, in each unit of a review
(:func:`core.nlp.sentences.split_units`), two kinds of mention:

* **catalogue aspects** (:mod:`core.nlp.aspect_catalogue`): "shipping", "arrived", "envío" →
  ``cat:delivery``; phrases before single words;
* **candidate terms**: noun-ish content words, lemmatised so "batteries"/"battery" and
  "markings"/"marking" merge, keyed ``term:<lemma>``. Two adjacent ones ("water tank", "warming
  plate") make one mention keyed by the rarer word in general language (the head an analyst means),
  with the phrase kept for naming. Not terms: stopwords, sentiment words of the VADER lexicon, numbers
  and number words, months and weekdays, generic review words ("product", "thing", "husband"), and
  words common in general language (wordfreq Zipf above :data:`MAX_TERM_ZIPF`: "day", "time").
  Which terms become a product's aspects is decided later, per product, by frequency against the
  general-language background (:func:`term_keyness`).

Libraries (all offline, from PyPI): ``lemminflect`` gives an English word's possible parts of speech
and noun lemma from its dictionary (our "noun-ish" test without a tagger model), ``simplemma`` lemmas
for Spanish (and unknown English words), ``wordfreq`` the general English/Spanish background.

Negation: a unit where a problem word (:data:`core.nlp.aspect_catalogue.PROBLEM_WORDS`) sits within
three words after a negator ("no wobble at all", "never leaked", "sin fugas") gets ``negated=True``
on its mentions; aspect sentiment then reads a negative verdict of that unit as praise (the model
scores "no wobble" on its words, both of which lean negative).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from core.nlp.aspect_catalogue import CATALOGUE, IGNORED, PROBLEM_WORDS, CatalogueAspect, word_set
from core.nlp.language import UNKNOWN, detect_language
from core.nlp.sentences import split_units
from core.nlp.text import NLTK_DATA_DIR, SUPPORTED_LANGUAGES

MAX_TERM_ZIPF = 5.3  # above this a word is everyday language ("day" 5.95, "water" 5.4), not an aspect
NEGATION_WINDOW = 3  # words after a negator that it reaches ("not a single leak")
CATALOGUE_PREFIX, TERM_PREFIX, CUSTOM_PREFIX = "cat:", "term:", "custom:"
WFREQ_LANG = {"english": "en", "spanish": "es"}
_IGNORED_KEY = CATALOGUE_PREFIX + IGNORED

_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
NEGATORS = {
    "english": word_set(
        """
        barely cannot cant hardly neither never no none nor not without zero
        """
    ),
    "spanish": word_set(
        """
        cero jamás nada ni ninguna ninguno ningún no nunca sin tampoco
        """
    ),
}
_NUMBER_WORDS = word_set(
    """
    cien cinco couple cuatro diez doce docena dos dozen eight eleven fifteen fifth fifty first
    five forty four fourth half hundred mil million mitad nine nueve ocho once one primera
    primero second segunda segundo seis seven siete six ten tercero third thirty thousand three
    tres twelve twenty two una uno veinte
    """
)
_CALENDAR_WORDS = word_set(
    """
    abril agosto april august ayer año december diciembre domingo día enero evening febrero
    february friday hora hour hoy january jueves julio july june junio lunes march martes marzo
    may mayo mañana mes minute minuto miércoles monday month morning night noche november
    noviembre october octubre saturday semana september septiembre sunday sábado tarde thursday
    today tomorrow tuesday viernes wednesday week weekend year yesterday
    """
)
# Nouns every review uses and no analyst acts on.
_GENERIC_WORDS = word_set(
    """
    algo amazon amiga amigo anything artículo birthday bit buy child christmas complaint compra
    cosa dad daughter esposa estrella everything expectation expectations experience experiencia
    fact family father friend gente gift girl guy hija hijo hope husband issue item kid kind lot
    madre man marido mom money's mother nada nothing order padre part parte pedido people person
    persona piece pieza problem problema product producto purchase queja reason recommend regalo
    reseña review something son sort star stuff thing times todo tried try type use veces vez
    way wife wish woman
    """
)
# Where and with whom a product is used, and generic names of a product's kind: context, not a facet an
# analyst acts on ("leaks all over the counter", "better than my old machine", "my colleagues say").
_SETTING_WORDS = word_set(
    """
    counter table floor kitchen desk car house home office pocket bag drawer shelf room bed train commute
    flight trip gym colleague coworker machine device unit model gadget appliance version
    encimera mesa suelo cocina casa oficina bolsillo bolso coche tren viaje máquina aparato modelo versión
    """
)
# Evaluative and everyday adjectives that also have a noun reading ("fast", "plastic" stays) or that
# the English lexicon does not cover (Spanish has no VADER lexicon).
_ADJECTIVES = word_set(
    """
    able bien big bonita bonito buena bueno clean contenta contento correcta correcto daily dark
    decepcionante decepción different difícil empty encantada encantado estupenda estupendo
    excelente extra fast fatal fea feo full fácil genial gran grande heavy high horrible ideal
    increíble last lenta lento light little long low mal mala malo maravillosa maravilloso mejor
    mucho muy new next normal nueva nuevo old other overall peor pequeña pequeño perfecta
    perfecto poco preciosa precioso práctica práctico quick real recomendable regular rápida
    rápido same satisfecha satisfecho short slow small sure terrible usual whole útil
    """
)


@dataclass(frozen=True)
class Mention:
    """One aspect named in one unit (sentence or contrast clause) of a review."""

    aspect: str  # "cat:delivery", "term:carafe" or "custom:<name>"
    unit_start: int  # the unit the mention is judged by
    unit_end: int
    term: str  # the words that named it, lower-case as written ("tank markings"), for highlighting
    phrase: str  # those words, lemmatised ("tank marking")
    negated: bool  # the unit negates a problem word ("no wobble at all")


@cache
def _stopwords(language: str) -> frozenset[str]:
    """NLTK's full list (negations included), as the language detector reads it."""
    path = NLTK_DATA_DIR / "corpora" / "stopwords" / language
    return frozenset(path.read_text(encoding="utf-8").split())


@cache
def _sentiment_words() -> frozenset[str]:
    """Words of the VADER lexicon (opinion words: "great", "awful", "love"), never aspect terms."""
    lexicon = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    return frozenset(line.split("\t", 1)[0] for line in lexicon.splitlines() if line and line[0].isalpha())


@lru_cache(maxsize=200_000)
def zipf(word: str, language: str) -> float:
    """General-language frequency of `word` (wordfreq's Zipf scale: 0 unknown … 7 "the")."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, WFREQ_LANG.get(language, "en")))


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The lemma of a lower-case word: the noun reading first for English (``lemminflect``),
    else its verb or adjective reading, else ``simplemma``'s; Spanish through ``simplemma``."""
    if language == "english":
        from lemminflect import getAllLemmas

        readings = getAllLemmas(word)
        for pos in ("NOUN", "PROPN", "VERB", "ADJ", "ADV"):
            if pos in readings:
                return str(readings[pos][0]).lower()
    import simplemma

    return str(simplemma.lemmatize(word, lang=WFREQ_LANG.get(language, "en"))).lower()


def _other_lemmas(word: str, language: str) -> tuple[str, ...]:
    """Every English reading's lemma ("dripping": the noun "dripping" and the verb "drip")."""
    if language != "english":
        return ()
    from lemminflect import getAllLemmas

    return tuple(str(forms[0]).lower() for forms in getAllLemmas(word).values())


@lru_cache(maxsize=200_000)
def _noun_ish(word: str, language: str) -> bool:
    """Whether `word` can be a noun: English by lemminflect's dictionary (an unknown word counts),
    Spanish by not being an inflected verb form (its lemma ends in -ar/-er/-ir and differs)."""
    if language == "english":
        from lemminflect import getAllLemmas

        readings = getAllLemmas(word)
        return not readings or "NOUN" in readings or "PROPN" in readings
    base = lemma(word, language)
    return not (base != word and base.endswith(("ar", "er", "ir")))


# A word's class: (kind, value, lemma, catalogue phrases that may start at it), kind one of
# "cat" (value: aspect key), "term" (value: lemma), "neg", "problem", "other"; "break" ends a scope.
WordClass = tuple[str, str, str, tuple[tuple[tuple[str, ...], str], ...]]
_BREAK: WordClass = ("break", "", "", ())
_BREAK_CHARS = ",;:()[]—–"
_PIECE_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[,;:()\[\]—–]")
_DETECT_CHARS = 400  # the language of a review is read from its start


class AspectExtractor:
    """Finds :class:`Mention` s in reviews; `extra` aspects (analyst-defined, keyed ``custom:...``)
    are matched like catalogue ones and win over them. Word classes are cached per language, so
    the per-word cost after warm-up is one dictionary look-up."""

    def __init__(self, extra: Sequence[CatalogueAspect] = ()) -> None:
        self.aspects = (*extra, *CATALOGUE)
        self._single: dict[str, dict[str, str]] = {}  # per language: word or lemma -> aspect key
        # per language: first word (or its lemma) -> [(phrase words as lemmas, aspect key)], longest first
        self._phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}
        for language in SUPPORTED_LANGUAGES:
            single: dict[str, str] = {}
            phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
            for aspect in self.aspects:
                key = aspect.key if ":" in aspect.key else CATALOGUE_PREFIX + aspect.key
                for word in aspect.words.get(language, ()):
                    parts = tuple(_TOKEN_RE.findall(word.lower()))
                    if len(parts) == 1:
                        for form in (parts[0], lemma(parts[0], language)):
                            single.setdefault(form, key)
                    elif parts:
                        lemmas = tuple(lemma(part, language) for part in parts)
                        for first in {parts[0], lemmas[0]}:
                            phrases.setdefault(first, []).append((lemmas, key))
            for options in phrases.values():
                options.sort(key=lambda option: -len(option[0]))
            self._single[language] = single
            self._phrases[language] = phrases
        self._classes: dict[str, dict[str, WordClass]] = {lang: {} for lang in SUPPORTED_LANGUAGES}

    def _classify(self, token: str, language: str) -> WordClass:
        """The class of a lower-case word (see :data:`WordClass`), computed once per word."""
        if token in _BREAK_CHARS:
            return _BREAK
        word = token[:-2] if token.endswith(("'s", "’s")) else token
        base = lemma(word, language)
        single = self._single[language]
        phrases = self._phrases[language]
        starts = tuple(dict.fromkeys([*phrases.get(word, ()), *phrases.get(base, ())]))
        in_catalogue = [form for form in (word, base, *_other_lemmas(word, language)) if form in single]
        if in_catalogue:
            found = ("cat", single[in_catalogue[0]])
        elif word in NEGATORS[language] or word.endswith(("n't", "n’t")):
            found = ("neg", "")
        elif base in PROBLEM_WORDS or word in PROBLEM_WORDS:
            # a fault word is also a term when it could be an aspect ("wobble" of a stool)
            found = ("problem", base if self._is_term(word, base, language) else "")
        elif self._is_term(word, base, language):
            found = ("term", base)
        else:
            found = ("other", "")
        result = (found[0], found[1], base, starts)
        self._classes[language][token] = result
        return result

    def _is_term(self, word: str, base: str, language: str) -> bool:
        if len(word) < 3 or word in _stopwords(language) or base in _stopwords(language):
            return False
        if {word, base} & (_NUMBER_WORDS | _CALENDAR_WORDS | _GENERIC_WORDS | _SETTING_WORDS | _ADJECTIVES):
            return False
        if language == "english" and (word in _sentiment_words() or base in _sentiment_words()):
            return False
        return _noun_ish(word, language) and zipf(base, language) <= MAX_TERM_ZIPF

    def mentions(self, text: str, language: str | None = None) -> list[Mention]:
        """Every aspect mention in `text`, unit by unit; an aspect counts once per unit. `language`
        ("english" / "spanish") is detected from the text's start when not given (unknown: English)."""
        if not isinstance(text, str) or not text.strip():
            return []
        if language not in SUPPORTED_LANGUAGES:
            detected = detect_language(text[:_DETECT_CHARS])
            language = "english" if detected == UNKNOWN else detected
        out: list[Mention] = []
        for start, end in split_units(text):
            out.extend(self._unit_mentions(text[start:end].lower(), start, end, language))
        return out

    def mentions_many(
        self, texts: Iterable[str], languages: Iterable[str | None] | None = None
    ) -> list[list[Mention]]:
        """:meth:`mentions` of each text (`languages`: one per text, None to detect)."""
        texts = list(texts)
        langs = list(languages) if languages is not None else [None] * len(texts)
        return [self.mentions(text, lang) for text, lang in zip(texts, langs, strict=True)]

    def _unit_mentions(self, unit: str, start: int, end: int, language: str) -> list[Mention]:
        """Mentions in one lower-cased unit. Only the words that matter are walked: cheap on the
        many units that name nothing."""
        words = _PIECE_RE.findall(unit)
        cache = self._classes[language]
        classes = [cache.get(word) or self._classify(word, language) for word in words]
        found: dict[str, tuple[str, str]] = {}  # aspect key -> (words as written, lemmas)
        negated = False
        reach = -1  # index of the last word a negator reaches
        skip_to = 0
        for i in [i for i, c in enumerate(classes) if c[0] != "other" or c[3]]:
            if i < skip_to:
                continue
            kind, value, base, starts = classes[i]
            if starts:
                length = _phrase_length(words, classes, i, starts)
                if length:
                    key = starts[length[1]][1]
                    found.setdefault(
                        key,
                        (
                            " ".join(words[i : i + length[0]]),
                            " ".join(c[2] for c in classes[i : i + length[0]]),
                        ),
                    )
                    skip_to = i + length[0]
                    continue
            if kind == "break":
                reach = -1
            elif kind == "neg":
                reach = i + NEGATION_WINDOW
            elif kind == "problem":
                negated = negated or i <= reach
                if value:
                    found.setdefault(TERM_PREFIX + value, (words[i], value))
            elif kind == "cat":
                negated = negated or (i <= reach and base in PROBLEM_WORDS)
                found.setdefault(value, (words[i], base))
            elif kind == "term":
                nxt = classes[i + 1] if i + 1 < len(words) else None
                # two nouns make one mention ("water tank"), a possessive does not ("the model's lid")
                if (
                    nxt is not None
                    and nxt[0] == "term"
                    and not nxt[3]
                    and not words[i].endswith(("'s", "’s"))
                ):
                    head = value if zipf(value, language) < zipf(nxt[1], language) else nxt[1]
                    found.setdefault(TERM_PREFIX + head, (f"{words[i]} {words[i + 1]}", f"{value} {nxt[1]}"))
                    skip_to = i + 2
                    continue
                found.setdefault(TERM_PREFIX + value, (words[i], value))
        return [
            Mention(key, start, end, term, phrase, negated)
            for key, (term, phrase) in found.items()
            if key != _IGNORED_KEY
        ]


def _phrase_length(
    words: list[str], classes: list[WordClass], i: int, options: tuple[tuple[tuple[str, ...], str], ...]
) -> tuple[int, int] | None:
    """(number of words, option index) of the longest catalogue phrase starting at word `i`."""
    for index, (parts, _key) in enumerate(options):
        if i + len(parts) > len(words):
            continue
        if all(classes[i + k][2] == part or words[i + k] == part for k, part in enumerate(parts)):
            return len(parts), index
    return None


def term_keyness(mentions: int, reviews: int, term: str, language: str) -> float:
    """How much more a product's reviews name `term` than general language does: log10 of
    (share of the product's reviews naming it) over (the word's general frequency per word,
    10^(zipf-9)), times log(mentions) so a few mentions of a rare word do not top the list."""
    import math

    if mentions <= 0 or reviews <= 0:
        return 0.0
    background = 10 ** (max(zipf(term, language), 1.0) - 9)
    return math.log10((mentions / reviews) / background) * math.log1p(mentions)


@lru_cache(maxsize=4)
def default_extractor() -> AspectExtractor:
    """The extractor with the built-in catalogue only (analyst aspects: build your own)."""
    return AspectExtractor()
