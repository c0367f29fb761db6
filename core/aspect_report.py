"""What customers talk about and how they feel about each: aspect tables from stored mentions.

Frame functions (pure pandas, no Streamlit) behind the Products page's Aspects section, its
exports and ``python -m core.aspects``:

1. :func:`apply_rules` applies the analysts' rules (:mod:`core.storage.aspects`): merges, hidden
   aspects, added aspects (stored mentions whose words they list join them);
2. :func:`keep_aspects` keeps catalogue and added aspects with a few mentions, and the candidate terms
   (``term:...``) that this product's reviews name far more than general language does
   (:func:`core.nlp.aspects.term_keyness`) with at least :func:`min_term_mentions` mentions;
3. :func:`aspect_table` counts mentions, label shares, impact (mentions × negative share), the
   change of the negative share against the previous period, and a small trend; :func:`quotes` picks
   the sentences to show.

Filters are applied before: pass the mentions of the filtered reviews only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.nlp.aspect_catalogue import CATALOGUE
from core.nlp.aspects import CATALOGUE_PREFIX, CUSTOM_PREFIX, TERM_PREFIX, lemma, term_keyness

MAX_TERMS = 12  # discovered terms shown per selection, besides catalogue aspects
MIN_CATALOGUE_MENTIONS = 2
LABELS = ("negative", "neutral", "positive")
_CATALOGUE_NAMES = {CATALOGUE_PREFIX + a.key: a.names for a in CATALOGUE}
TABLE_COLUMNS = [
    "aspect", "name", "mentions", "negative", "neutral", "positive", "impact", "change", "trend",
]  # fmt: skip


@dataclass(frozen=True)
class Rules:
    """The analysts' rules, ready to apply (see :func:`rules_from`)."""

    names: dict[str, str] = field(default_factory=dict)  # key -> shown name
    merges: dict[str, str] = field(default_factory=dict)  # key -> key it counts as
    hidden: frozenset[str] = frozenset()
    added: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "custom:<name>" -> words


def rules_from(frame: pd.DataFrame) -> Rules:
    """Rules from :func:`core.storage.aspects.aspect_rules` rows (later rules win)."""
    names: dict[str, str] = {}
    merges: dict[str, str] = {}
    hidden: set[str] = set()
    added: dict[str, tuple[str, ...]] = {}
    for row in frame.itertuples(index=False):
        if row.action == "rename":
            names[row.aspect] = row.value
        elif row.action == "merge":
            merges[row.aspect] = row.value
        elif row.action == "hide":
            hidden.add(row.aspect)
        elif row.action == "add":
            added[row.aspect] = tuple(w.strip().lower() for w in row.value.split(",") if w.strip())
    return Rules(names, merges, frozenset(hidden), added)


def _final_key(key: str, merges: Mapping[str, str]) -> str:
    seen = {key}
    while key in merges and merges[key] not in seen:  # a chain of merges ends; a loop stops
        key = merges[key]
        seen.add(key)
    return key


def apply_rules(mentions: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Mentions with added aspects, merges and hidden aspects applied (one mention per review unit
    and aspect after merging)."""
    if mentions.empty:
        return mentions
    out = mentions
    if rules.added:
        # a stored mention joins an added aspect when its words (as written or lemmatised) are listed
        word_to_key: dict[str, str] = {}
        for key, words in rules.added.items():
            for word in words:
                for language in ("english", "spanish"):
                    word_to_key.setdefault(lemma(word, language), key)
                word_to_key.setdefault(word, key)

        def custom(row_term: str, row_phrase: str) -> str | None:
            for text in (row_term, row_phrase, *row_phrase.split(), *row_term.split()):
                if text in word_to_key:
                    return word_to_key[text]
            return None

        targets = [custom(t, p) for t, p in zip(out["term"], out["phrase"], strict=True)]
        out = out.assign(aspect=[t or a for t, a in zip(targets, out["aspect"], strict=True)])
    if rules.merges:
        keys = {key: _final_key(key, rules.merges) for key in out["aspect"].unique()}
        out = out.assign(aspect=out["aspect"].map(keys))
    if rules.hidden:
        out = out[~out["aspect"].isin(rules.hidden)]
    if rules.added or rules.merges:
        out = out.drop_duplicates(["review_id", "unit_start", "aspect"])
    return out


def min_term_mentions(reviews: int) -> int:
    """Mentions a discovered term needs to be shown: 3, or 1% of the reviews when that is more."""
    return max(3, int(reviews * 0.01))


def _name_lemmas(products: Any, language: str) -> set[str]:
    """Lemmas of the words of the product names: a term naming the product itself ("coffee" for a
    coffee maker, "phone" for a phone case) is what the reviews are about, not an aspect of it."""
    words = " ".join(str(p) for p in products).lower().replace("-", " ").split()
    return {lemma(w, language) for w in words if w.isalpha()} | set(words)


def keep_aspects(mentions: pd.DataFrame, reviews: int, max_terms: int = MAX_TERMS) -> list[str]:
    """The aspect keys worth showing for these mentions of `reviews` reviews."""
    if mentions.empty:
        return []
    counts = mentions["aspect"].value_counts()
    counts = counts[counts > 0]  # a categorical column counts its unused categories too
    kept = [
        key
        for key, n in counts.items()
        if str(key).startswith(CUSTOM_PREFIX)  # an analyst asked for it: shown from its first mention
        or (str(key).startswith(CATALOGUE_PREFIX) and n >= min(MIN_CATALOGUE_MENTIONS, reviews))
    ]
    is_term = np.array([str(k).startswith(TERM_PREFIX) for k in counts.index], dtype=bool)
    terms = counts[is_term & (counts >= min_term_mentions(reviews)).to_numpy()]
    if len(terms):
        language = mentions["language"].mode().iloc[0]
        own_name = _name_lemmas(mentions["product"].unique(), language) if "product" in mentions else set()
        scored = {
            key: term_keyness(int(n), reviews, str(key)[len(TERM_PREFIX) :], language)
            for key, n in terms.items()
            if str(key)[len(TERM_PREFIX) :] not in own_name
        }
        best = sorted((k for k, v in scored.items() if v > 0), key=lambda k: -scored[k])[:max_terms]
        kept.extend(best)
    return kept


def aspect_name(key: str, mentions: pd.DataFrame, rules: Rules | None = None) -> str:
    """The name shown for `key`: the analyst's, the catalogue's in the language most of its mentions
    are written in, an added aspect's own, or a term's most frequent phrase ("Water tank")."""
    language = str(mentions["language"].mode().iloc[0]) if len(mentions) else "english"
    counts = mentions["phrase"].value_counts()
    top = (str(counts.index[0]), int(counts.iloc[0])) if len(counts) else None
    return _name(key, rules or Rules(), language, top, len(mentions))


def _name(key: str, rules: Rules, language: str, top_phrase: tuple[str, int] | None, mentions: int) -> str:
    """See :func:`aspect_name`; `top_phrase`: the term's commonest phrase and its count."""
    if key in rules.names:
        return rules.names[key]
    if key.startswith(CUSTOM_PREFIX):
        return key[len(CUSTOM_PREFIX) :]
    if key in _CATALOGUE_NAMES:
        return _CATALOGUE_NAMES[key].get(language, _CATALOGUE_NAMES[key]["english"])
    term = key.split(":", 1)[-1]
    if top_phrase is not None and " " in top_phrase[0] and top_phrase[1] >= 0.5 * mentions:
        term = top_phrase[0]
    return term[:1].upper() + term[1:]


def _previous_window(dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp] | None:
    """(previous start, current start, end) of the two latest equal windows: 30 days each when the
    span allows two, else the two halves of the span."""
    dated = dates.dropna()
    if dated.empty:
        return None
    end = dated.max().normalize() + pd.Timedelta(days=1)
    span = end - dated.min().normalize()
    window = pd.Timedelta(days=30) if span >= pd.Timedelta(days=60) else span / 2
    if window < pd.Timedelta(days=1):
        return None
    return end - 2 * window, end - window, end


def aspect_table(
    mentions: pd.DataFrame, reviews: int, rules: Rules | None = None, freq: str = "M"
) -> pd.DataFrame:
    """One row per aspect worth showing (:func:`keep_aspects`), sorted by impact, then mentions.

    Columns: aspect (key), name, mentions, negative/neutral/positive (shares of the scored
    mentions), impact (mentions × negative share), change (negative share in the latest window
    minus the one before, see :func:`_previous_window`; NaN with fewer than 3 mentions in either),
    trend (negative share per `freq` period, oldest first).
    """
    rules = rules or Rules()
    mentions = apply_rules(mentions, rules)
    keys = keep_aspects(mentions, reviews)
    if not keys:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    part = mentions[mentions["aspect"].isin(keys) & mentions["label"].isin(LABELS)]
    # grouped once over all aspects (a mask per aspect costs seconds on 300k mentions)
    column = part["aspect"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        aspect = column.cat.set_categories(keys).to_numpy()
    else:
        aspect = pd.Categorical(column.astype(str), categories=keys)
    is_label = {name: (part["label"] == name).to_numpy() for name in LABELS}
    flags = pd.DataFrame({"aspect": aspect, **is_label}, index=part.index)
    by_aspect = flags.groupby("aspect", observed=True)
    shares = by_aspect[list(LABELS)].mean()
    counts = by_aspect.size()
    change = pd.Series(np.nan, index=counts.index)
    dates = part["review_date"]
    windows = _previous_window(dates)
    if windows is not None:
        before = flags[(dates >= windows[0]) & (dates < windows[1])].groupby("aspect", observed=True)[
            "negative"
        ]
        now = flags[(dates >= windows[1]) & (dates < windows[2])].groupby("aspect", observed=True)["negative"]
        enough = (before.size() >= 3) & (now.size() >= 3)
        diff = now.mean() - before.mean()
        change = diff.where(enough.reindex(diff.index, fill_value=False)).reindex(counts.index)
    trends: dict[str, list[float]] = {}
    if dates.notna().any():
        per_period = flags.groupby(["aspect", dates.dt.to_period(freq)], observed=True)["negative"].mean()
        for key, series in per_period.round(3).groupby(level=0, observed=True):
            trends[str(key)] = series.tolist()
    language = str(part["language"].mode().iloc[0]) if len(part) else "english"
    terms = [k for k in counts.index if str(k).startswith(TERM_PREFIX) and k not in rules.names]
    named = part[part["aspect"].isin(terms)]
    per_phrase = named.groupby([named["aspect"].astype(str), named["phrase"].astype(str)]).size()
    phrases = {str(k): (str(g.idxmax()[1]), int(g.max())) for k, g in per_phrase.groupby(level=0)}
    rows = []
    for key in counts.index:
        key = str(key)
        neg = float(shares.loc[key, "negative"])
        rows.append(
            {
                "aspect": key,
                "name": _name(key, rules, language, phrases.get(key), int(counts[key])),
                "mentions": int(counts[key]),
                "negative": neg,
                "neutral": float(shares.loc[key, "neutral"]),
                "positive": float(shares.loc[key, "positive"]),
                "impact": counts[key] * neg,
                "change": float(change.get(key, np.nan)),
                "trend": trends.get(key, []),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values(["impact", "mentions"], ascending=False, kind="stable").reset_index(drop=True)


def aspect_by_product(
    mentions: pd.DataFrame, reviews: Mapping[str, int], rules: Rules | None = None
) -> pd.DataFrame:
    """Comparison mode: one row per aspect (kept for any product), per product its mentions and
    negative share; sorted by total impact."""
    rules = rules or Rules()
    mentions = apply_rules(mentions, rules)
    keys: list[str] = []
    for product, part in mentions.groupby("product", sort=True, observed=True):
        keys.extend(k for k in keep_aspects(part, reviews.get(str(product), len(part))) if k not in keys)
    part = mentions[mentions["aspect"].isin(keys) & mentions["label"].isin(LABELS)]
    if part.empty:
        return pd.DataFrame()
    part = part.assign(aspect=part["aspect"].astype(str), product=part["product"].astype(str))
    grouped = part.groupby(["aspect", "product"])["label"]
    table = pd.DataFrame(
        {"mentions": grouped.size(), "negative": grouped.apply(lambda s: (s == "negative").mean())}
    )
    wide = table.unstack("product")
    wide.columns = [f"{product} · {measure}" for measure, product in wide.columns]
    impact = (table["mentions"] * table["negative"]).groupby("aspect").sum()
    wide.insert(0, "name", [aspect_name(k, mentions[mentions["aspect"] == k], rules) for k in wide.index])
    return wide.loc[impact.sort_values(ascending=False).index].reset_index()


def quotes(mentions: pd.DataFrame, texts: Mapping[int, str], aspect: str, n: int = 3) -> list[dict[str, Any]]:
    """Up to `n` distinct sentences naming `aspect`, of its commoner side (negative ones when at
    least as many mentions are negative as positive), the most confident first.

    :param texts: review id -> review text (the sentence is cut from it).
    :return: dicts with text (the sentence), term (the words naming the aspect, lower-case), label,
        review_id.
    """
    own = mentions[(mentions["aspect"] == aspect) & mentions["label"].isin(LABELS)]
    if own.empty:
        return []
    counts = own["label"].value_counts()
    side = "negative" if counts.get("negative", 0) >= counts.get("positive", 0) else "positive"
    ranked = own[own["label"] == side].sort_values(side, ascending=False, kind="stable")
    picked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in ranked.itertuples(index=False):
        text = texts.get(int(row.review_id))
        if not isinstance(text, str):
            continue
        sentence = text[int(row.unit_start) : int(row.unit_end)]
        if sentence.casefold() in seen:
            continue
        seen.add(sentence.casefold())
        picked.append(
            {"text": sentence, "term": row.term, "label": row.label, "review_id": int(row.review_id)}
        )
        if len(picked) == n:
            break
    return picked


def term_spans(sentence: str, term: str) -> list[tuple[int, int]]:
    """Where `term` (lower-case, as stored) occurs in `sentence`, case-insensitively, for highlighting."""
    spans = []
    low = sentence.lower()
    start = low.find(term) if term else -1
    while start != -1:
        spans.append((start, start + len(term)))
        start = low.find(term, start + len(term))
    return spans
