"""Which column of an upload holds the review text, product, date, rating, author and title.

Headers are matched against names in English, Spanish and a few French, German and Portuguese
ones, ignoring case, accents and separators ("reviewText", "Reseña", "PRODUCT_ID"). When no
header names the text, the column with the longest prose-like cells is taken.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields

import pandas as pd

from core.ingestion.tables import MissingColumn, ParsedTable, column_list, quoted


@dataclass
class ColumnMapping:
    """Which column of the file holds each field; None when the file has no such column."""

    text: str | None
    product: str | None = None
    date: str | None = None
    rating: str | None = None
    author: str | None = None
    title: str | None = None

    def columns(self) -> dict[str, str]:
        """The mapped fields and their columns, e.g. ``{"text": "Review", "rating": "Stars"}``."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


_SYNONYMS: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "review", "reviews", "review text", "review body", "review content", "reviewtext",
        "comment", "comments", "body", "opinion", "opinions", "content", "message", "feedback",
        "customer review", "review comment", "resena", "resenas", "comentario", "comentarios", "opinion",
        "opiniones", "texto", "texto resena", "cuerpo", "mensaje", "avis", "commentaire", "texte",
        "kommentar", "rezension", "bewertungstext", "opiniao", "avaliacao texto", "verbatim",
    ),
    "product": (
        "product", "products", "product id", "product name", "product title", "productid", "item",
        "item id", "item name", "sku", "asin", "producto", "id producto", "nombre producto",
        "nombre del producto", "articulo", "produit", "artikel", "produkt", "produto", "app", "app name",
    ),
    "date": (
        "date", "time", "timestamp", "datetime", "created", "created at", "date created", "creation date",
        "review date", "posted", "posted at", "posted on", "published", "published at", "submitted",
        "submitted at", "fecha", "fecha resena", "fecha de resena", "fecha creacion", "hora", "datum", "data",
    ),
    "rating": (
        "rating", "ratings", "stars", "star", "star rating", "score", "review score", "review rating",
        "overall", "overall rating", "rate", "grade", "puntuacion", "puntaje", "valoracion", "calificacion",
        "estrellas", "nota", "note", "etoiles", "sterne", "bewertung", "avaliacao", "classificacao",
        "estrelas",
    ),
    "author": (
        "author", "user", "username", "user name", "reviewer", "reviewer name", "customer", "customer name",
        "profile name", "autor", "usuario", "nombre usuario", "cliente", "auteur", "utilisateur",
        "benutzer", "nutzer", "verfasser",
    ),
    "title": (
        "title", "summary", "headline", "subject", "review title", "review summary", "titulo", "resumen",
        "asunto", "titre", "titel",
    ),
}  # fmt: skip
# Columns whose name has one of these words are never the review text (an id, a link, a count).
_NOT_TEXT_WORDS = frozenset({"id", "url", "link", "date", "count", "votes", "helpful", "number", "code"})
_ROLE_ORDER = ("text", "product", "rating", "date", "title", "author")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_PROSE_SAMPLE = 1000


def normalize_header(name: str) -> str:
    """ "reviewText" → "review text", "Puntuación" → "puntuacion", "PRODUCT_ID" → "product id"."""
    name = _CAMEL_RE.sub(" ", name)
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return _NON_ALNUM_RE.sub(" ", name.lower()).strip()


def _header_score(role: str, name: str) -> int:
    """How surely a normalised header names `role`: 3 the whole name, 2 its last word, 1 any word."""
    synonyms = _SYNONYMS[role]
    if name in synonyms or name.replace(" ", "") in synonyms:
        return 3
    words = name.split()
    if not words:
        return 0
    if role == "text" and _NOT_TEXT_WORDS.intersection(words):
        return 0
    if words[-1] in synonyms:
        return 2
    return 1 if any(word in synonyms for word in words) else 0


def _prose_length(values: pd.Series) -> float:
    """Average length of the cells if they read like prose (words and spaces), else 0."""
    cells = [v.strip() for v in values.iloc[:_PROSE_SAMPLE] if isinstance(v, str) and v.strip()]
    if not cells:
        return 0.0
    wordy = sum(1 for c in cells if " " in c and sum(ch.isalpha() for ch in c) >= len(c) / 2)
    average = sum(len(c) for c in cells) / len(cells)
    return average if wordy >= len(cells) / 2 and average >= 15 else 0.0


def infer_mapping(table: ParsedTable) -> ColumnMapping:
    """Guess each field's column from the headers (English, Spanish and a few French, German and
    Portuguese names; case, accents and separators ignored), one column per field at most.

    When no header names the text, the column with the longest prose-like cells is taken; if no
    column looks like prose, `text` is None and :func:`prepare_rows` raises :class:`NoTextColumn`.
    """
    frame = table.frame
    normalized = {column: normalize_header(str(column)) for column in frame.columns}
    candidates = []
    for position, column in enumerate(frame.columns):
        for role_rank, role in enumerate(_ROLE_ORDER):
            score = _header_score(role, normalized[column])
            # A word match alone ("Review ID", "Customer comment code") must also look like prose.
            if score == 1 and role == "text" and not _prose_length(frame[column]):
                continue
            if score:
                candidates.append((-score, role_rank, position, role, column))
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for *_, role, column in sorted(candidates):
        if role not in chosen and column not in used:
            chosen[role] = column
            used.add(column)
    if "text" not in chosen:
        lengths = {c: _prose_length(frame[c]) for c in frame.columns if c not in used}
        longest = max(lengths, key=lambda c: lengths[c], default=None)
        if longest is not None and lengths[longest] > 0:
            chosen["text"] = longest
    return ColumnMapping(text=chosen.get("text"), **{r: chosen.get(r) for r in _ROLE_ORDER[1:]})


def resolve_column(table: ParsedTable, name: str) -> str:
    """The table's column called `name`, ignoring case, accents and separators, or MissingColumn."""
    columns = [str(c) for c in table.frame.columns]
    if name in columns:
        return name
    wanted = normalize_header(name)
    for column in columns:
        if normalize_header(column) == wanted:
            return column
    raise MissingColumn(f"Column {quoted(repr(name))} not found: columns are {column_list(columns)}.")
