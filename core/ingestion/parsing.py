"""Ratings on any scale and dates in any common format, parsed from spreadsheet cells.

Both parsers take one cell (a string from a CSV, or a number / datetime from an xlsx) and return
None for anything they do not understand, so the caller can count the row with a reason instead of
failing. The column helpers (:func:`parse_rating_column`, :func:`parse_date_column`) parse each
distinct value once, because a 100k-row upload usually repeats its ratings and dates many times.

Rating scales
    A cell that states its scale is read as such: ``"4/5"``, ``"4 out of 5"``, ``"4 de 5"``,
    ``"8/10"``, ``"80%"`` (0–100), ``"4.5 stars"`` (of 5), ``"★★★★☆"`` (filled of total).
    A plain number (``"4"``, ``"4,5"``, ``9``) takes the scale of its column: 1–5, 1–10 or 0–100,
    the smallest that holds 99% of the column's plain numbers (see :func:`infer_rating_scale`).
    Scales of at most 10 points start at 1, as star widgets do, so 1 of 5 normalises to 0 and
    3 of 5 to 0.5; a 0 on such a scale (a "zero stars" cell) is the worst rating and also gives 0.
    Larger scales start at 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil import parser as dateutil_parser

# ----------------------------------------------------------------------------------------------
# Ratings


@dataclass(frozen=True)
class Rating:
    """One parsed rating: the value on its scale, the scale, the 0–1 normalisation and the raw cell."""

    value: float
    best: float
    worst: float
    normalized: float
    raw: str


_NUM = r"(\d+(?:[.,]\d+)?)"
_OUT_OF_RE = re.compile(
    rf"^{_NUM}\s*(?:/|out\s+of|of|de|sobre|sur|von|aus|em)\s*{_NUM}"
    r"(?:\s*(?:stars?|estrellas?|étoiles?|etoiles?|sterne?n?|estrelas?|points?|puntos?|pts?))?\.?$",
    re.IGNORECASE,
)
_STARS_WORD_RE = re.compile(
    rf"^{_NUM}\s*(?:stars?|estrellas?|étoiles?|etoiles?|sterne?n?|estrelas?|★|⭐)$", re.IGNORECASE
)
_PERCENT_RE = re.compile(rf"^{_NUM}\s*%$")
_PLAIN_RE = re.compile(rf"^\+?{_NUM}$")
_FILLED_STARS = "★⭐✪✭✮"
_EMPTY_STARS = "☆✩"
_STAR_CHARS = frozenset(_FILLED_STARS + _EMPTY_STARS + "½")


def default_worst(best: float) -> float:
    """The lowest value of a scale whose best is `best`: 1 for star-like scales (<= 10), else 0."""
    return 1.0 if best <= 10 else 0.0


_SCALE_SHARE = 0.99


def scale_for_max(max_value: float) -> tuple[float, float] | None:
    """`(worst, best)` of the scale a column of plain numbers uses, from its largest value."""
    for best in (5.0, 10.0, 100.0):
        if max_value <= best:
            return default_worst(best), best
    return None


def normalize_rating(value: float, best: float, worst: float) -> float:
    """`(value - worst) / (best - worst)`, clipped to 0–1 (a 0 on a 1–5 scale is the worst rating)."""
    if not best > worst:
        raise ValueError(f"best ({best}) must be greater than worst ({worst})")
    return min(1.0, max(0.0, (value - worst) / (best - worst)))


def _number(text: str) -> float:
    """`"4,5"` → 4.5: a decimal comma is a decimal point (no rating has thousands separators)."""
    return float(text.replace(",", "."))


def _make(value: float, best: float, worst: float | None, raw: str) -> Rating | None:
    worst = default_worst(best) if worst is None else worst
    # Below 0 or above the best is a typo or another column's data, not a rating.
    if not (math.isfinite(value) and 0 <= value <= best) or best <= worst:
        return None
    return Rating(value, best, worst, normalize_rating(value, best, worst), raw)


def explicit_scale(text: str) -> tuple[float, float] | None:
    """`(value, best)` when the cell states its own scale ("4/5", "80%", "4 stars", "★★★☆☆")."""
    text = text.strip()
    if match := _OUT_OF_RE.match(text):
        return _number(match.group(1)), _number(match.group(2))
    if match := _PERCENT_RE.match(text):
        return _number(match.group(1)), 100.0
    if match := _STARS_WORD_RE.match(text):
        return _number(match.group(1)), 5.0
    if text and set(text.replace(" ", "")) <= _STAR_CHARS:
        compact = text.replace(" ", "")
        filled = sum(compact.count(c) for c in _FILLED_STARS) + 0.5 * compact.count("½")
        total = len(compact)
        # With empty stars the row shows its scale; filled stars alone ("★★★★") are out of 5.
        shows_scale = any(c in _EMPTY_STARS or c == "½" for c in compact)
        return filled, float(total) if shows_scale or total > 5 else 5.0
    return None


def parse_rating(value: object, best: float | None = None, worst: float | None = None) -> Rating | None:
    """Parse one rating cell; None when it is empty, not a rating, or outside its scale.

    :param value: the cell: a string ("4/5", "4,5", "★★★★☆", "80%") or a number from an xlsx.
    :param best: the best value of the column's scale, used for plain numbers; when None a plain
        number picks the smallest of 5, 10, 100 that holds it.
    :param worst: the worst value of that scale; default 1 for scales up to 10, else 0.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        raw = format(value, "g")
        number = float(value)
    else:
        raw = str(value).strip()
        if not raw:
            return None
        explicit = explicit_scale(raw)
        if explicit is not None:
            cell_value, cell_best = explicit
            return _make(cell_value, cell_best, None, raw)
        match = _PLAIN_RE.match(raw)
        if not match:
            return None
        number = _number(match.group(1))
    if best is None:
        scale = scale_for_max(number)
        if scale is None:
            return None
        return _make(number, scale[1], scale[0] if worst is None else worst, raw)
    return _make(number, best, worst, raw)


def plain_number(value: object) -> float | None:
    """The number in a cell without its own scale (for deciding a column's scale), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        match = _PLAIN_RE.match(value.strip())
        if match:
            return _number(match.group(1))
    return None


def infer_rating_scale(values: Iterable[object]) -> tuple[float, float] | None:
    """`(worst, best)` for the plain numbers of a rating column; None if it has none.

    The scale is the smallest of 1–5, 1–10, 0–100 that holds at least 99% of the column's plain
    numbers (counting repeats), so one typo ("44" among thousands of 1–5 ratings) is reported as
    out of range instead of turning every 5 into 5%. Numbers above 100 fit no scale.
    """
    cells: Counter[tuple[type, object]] = Counter()
    for value in values:  # each distinct cell is parsed once (a 100k-row column has a few dozen)
        try:
            cells[(type(value), value)] += 1
        except TypeError:  # unhashable cell (never from pandas)
            number = plain_number(value)
            if number is not None:
                cells[(float, number)] += 1
    counts: Counter[float] = Counter()
    for (_, value), repeats in cells.items():
        number = plain_number(value)
        if number is not None:
            counts[number] += repeats
    total = sum(counts.values())
    if not total:
        return None
    for best in (5.0, 10.0, 100.0):
        if sum(n for number, n in counts.items() if number <= best) >= _SCALE_SHARE * total:
            return default_worst(best), best
    return None


def parse_rating_column(values: Sequence[object]) -> list[Rating | None]:
    """Parse a whole rating column with one scale for its plain numbers; each distinct value once."""
    scale = infer_rating_scale(values)
    worst, best = scale if scale is not None else (None, None)
    cache: dict[object, Rating | None] = {}
    out: list[Rating | None] = []
    for value in values:
        key = (type(value), value) if isinstance(value, int | float | str) else None
        if key is None:
            out.append(parse_rating(value, best, worst))
            continue
        if key not in cache:
            cache[key] = parse_rating(value, best, worst)
        out.append(cache[key])
    return out


# ----------------------------------------------------------------------------------------------
# Dates

_MIN_DATE = datetime(1970, 1, 1)
_MAX_DATE = datetime(2100, 1, 1)
_EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
# A bare number is a Unix time in seconds (1973–2286) or milliseconds, or an Excel serial day
# (1954–2119); anything else (a year, an id) is not a date.
_EXCEL_SERIAL = (20_000, 80_000)
_UNIX_SECONDS = (100_000_000, 10_000_000_000)
_UNIX_MILLIS = (100_000_000_000, 10_000_000_000_000)

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_NUMERIC_RE = re.compile(
    r"^(\d{1,4})([/.\-])(\d{1,2})\2(\d{2,4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_DIGITS_RE = re.compile(r"^\d+(?:\.\d+)?$")

_SPANISH_MONTHS = {
    "enero": "jan", "febrero": "feb", "marzo": "mar", "abril": "apr", "mayo": "may", "junio": "jun",
    "julio": "jul", "agosto": "aug", "septiembre": "sep", "setiembre": "sep", "octubre": "oct",
    "noviembre": "nov", "diciembre": "dec", "ene": "jan", "abr": "apr", "ago": "aug", "dic": "dec",
    "sept": "sep",
}  # fmt: skip
_SPANISH_MONTH_RE = re.compile(r"\b(" + "|".join(sorted(_SPANISH_MONTHS, key=len, reverse=True)) + r")\b\.?")
_SPANISH_DE_RE = re.compile(r"\bde(l)?\b", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?"
_WEEKDAY = r"(?:[^\W\d]+\.?,?\s+)?"  # "Tue, " / "martes, "
# Fast paths for month names: dateutil costs ~100 µs a value, too slow for 100k distinct dates.
_DAY_MONTH_RE = re.compile(
    rf"^{_WEEKDAY}(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?([^\W\d]+)\.?,?\s+(?:de(?:l)?\s+)?(\d{{4}}){_TIME}$"
)
_MONTH_DAY_RE = re.compile(rf"^{_WEEKDAY}([^\W\d]+)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}}){_TIME}$")
# "Reviewed in the United States on March 12, 2024" / "Calificado en México el 12 de marzo de 2024"
_PREFIX_RE = re.compile(r"^.*\b(?:on|el|le|am)\s+")
_YEAR_RE = re.compile(r"\b\d{4}\b")
_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)


def _in_range(value: datetime | None) -> datetime | None:
    return value if value is not None and _MIN_DATE <= value < _MAX_DATE else None


def _to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _from_number(number: float) -> datetime | None:
    """A Unix time (seconds or milliseconds) or an Excel serial day; None for other numbers."""
    if _EXCEL_SERIAL[0] <= number < _EXCEL_SERIAL[1]:
        return _EXCEL_EPOCH + timedelta(days=number)
    if _UNIX_SECONDS[0] <= number < _UNIX_SECONDS[1]:
        return datetime(1970, 1, 1) + timedelta(seconds=number)
    if _UNIX_MILLIS[0] <= number < _UNIX_MILLIS[1]:
        return datetime(1970, 1, 1) + timedelta(milliseconds=number)
    return None


def _tz_offset(text: str | None) -> timedelta:
    if not text or text.upper() in {"Z", "UTC", "GMT"}:
        return timedelta(0)
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))


def _iso(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second, fraction, tz = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    value = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    # The offset is local time minus UTC, so UTC = local - offset.
    return value - _tz_offset(tz)


def _numeric(match: re.Match[str], dayfirst: bool) -> datetime:
    first, _, second, third, hour, minute, sec, ampm = match.groups()
    if len(first) == 4:  # 2024/03/12: year first, then month and day
        year, month, day = int(first), int(second), int(third)
    else:
        year = int(third)
        if len(third) == 2:
            year += 2000 if year < 70 else 1900
        day, month = (int(first), int(second)) if dayfirst else (int(second), int(first))
    hours = int(hour or 0)
    if ampm:
        hours = hours % 12 + (12 if ampm.lower() == "pm" else 0)
    return datetime(year, month, day, hours, int(minute or 0), int(sec or 0))


def _month_name(text: str) -> datetime | None:
    """ "12 Mar 2024", "March 12, 2024 10:30", "12 de marzo de 2024" without dateutil."""
    lowered = text.lower()
    if match := _DAY_MONTH_RE.match(lowered):
        day, month_name, year, *clock = match.groups()
    elif match := _MONTH_DAY_RE.match(lowered):
        month_name, day, year, *clock = match.groups()
    else:
        return None
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    hour, minute, second, ampm = clock
    hours = int(hour or 0)
    if ampm:
        hours = hours % 12 + (12 if ampm == "pm" else 0)
    return datetime(int(year), month, int(day), hours, int(minute or 0), int(second or 0))


def _with_dateutil(text: str, dayfirst: bool) -> datetime | None:
    """Month names and other free forms; None unless year, month and day are all in the text."""
    lowered = text.lower()
    if _SPANISH_MONTH_RE.search(lowered):
        text = _SPANISH_DE_RE.sub(" ", _SPANISH_MONTH_RE.sub(lambda m: _SPANISH_MONTHS[m.group(1)], lowered))
    if not _YEAR_RE.search(text):
        return None  # "March 12" or "12/03" would silently get this year
    try:
        a = dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_A)
        b = dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_B)
    except (ValueError, OverflowError, TypeError):
        return None
    # A component that came from the default differs between the two parses: it was missing.
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None
    return _to_naive_utc(a)


def parse_date(value: object, dayfirst: bool = False) -> datetime | None:
    """Parse one date cell to a naive UTC datetime; None when empty or not a full date.

    Understands datetimes from xlsx cells, ISO 8601 (with time and offset), ``dd/mm/yyyy`` and
    ``mm/dd/yyyy`` (by `dayfirst`), ``yyyy/mm/dd``, month names in English and Spanish
    ("12 Mar 2024", "March 12, 2024", "12 de marzo de 2024"), Unix timestamps in seconds or
    milliseconds, and Excel serial day numbers. Dates before 1970 or from 2100 on are rejected.
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, datetime):  # includes pandas.Timestamp
            if value != value:  # NaT
                return None
            return _in_range(
                _to_naive_utc(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value)
            )
        if isinstance(value, date):
            return _in_range(datetime(value.year, value.month, value.day))
        if isinstance(value, int | float):
            return _in_range(_from_number(float(value))) if math.isfinite(value) else None
        text = str(value).strip()
        if not text:
            return None
        if match := _ISO_RE.match(text):
            return _in_range(_iso(match))
        if match := _NUMERIC_RE.match(text):
            return _in_range(_numeric(match, dayfirst))
        if _DIGITS_RE.match(text):
            return _in_range(_from_number(float(text)))
        if not any(c.isalpha() for c in text) and len(text) < 8:
            return None
        parsed = _month_name(text) or _with_dateutil(text, dayfirst)
        if parsed is None and (prefix := _PREFIX_RE.match(text)):
            rest = text[prefix.end() :]
            parsed = _month_name(rest) or _with_dateutil(rest, dayfirst)
        return _in_range(parsed)
    except (ValueError, OverflowError):  # 2024-02-30, 31/31/2024, a year 10000
        return None


_DAY_MONTH_PARTS_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d")


def detect_dayfirst(values: Iterable[object]) -> bool | None:
    """Whether a column's ``nn/nn/yyyy`` dates are day first: True if some first part is above 12,
    False if some second part is, None when the column never tells (or tells both ways).
    """
    day_first = month_first = False
    for value in values:
        if not isinstance(value, str):
            continue
        match = _DAY_MONTH_PARTS_RE.match(value)
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
        if day_first and month_first:
            return None
    if day_first != month_first:
        return day_first
    return None


def parse_date_column(values: Sequence[object], dayfirst: bool = False) -> list[datetime | None]:
    """Parse a whole date column, each distinct value once (uploads repeat dates a lot)."""
    cache: dict[object, datetime | None] = {}
    out: list[datetime | None] = []
    for value in values:
        key = (type(value), value) if isinstance(value, str | int | float) else None
        if key is None:
            out.append(parse_date(value, dayfirst))
            continue
        if key not in cache:
            cache[key] = parse_date(value, dayfirst)
        out.append(cache[key])
    return out
