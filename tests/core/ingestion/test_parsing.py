"""Rating and date parsers: tables of real-world cells plus hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ingestion.parsing import (
    default_worst,
    detect_dayfirst,
    infer_rating_scale,
    normalize_rating,
    parse_date,
    parse_date_column,
    parse_rating,
    parse_rating_column,
)

# The machine is shared with a training job: a slow example is not a failure.
relaxed = settings(deadline=None)

# ----------------------------------------------------------------------------------------------
# Ratings: examples


@pytest.mark.parametrize(
    ("cell", "value", "best", "normalized"),
    [
        ("4", 4, 5, 0.75),
        ("1", 1, 5, 0.0),
        ("3", 3, 5, 0.5),
        ("4,5", 4.5, 5, 0.875),
        (" 4.5 ", 4.5, 5, 0.875),
        ("4/5", 4, 5, 0.75),
        ("4 / 5", 4, 5, 0.75),
        ("4 out of 5", 4, 5, 0.75),
        ("4.0 out of 5 stars", 4, 5, 0.75),
        ("3 de 5 estrellas", 3, 5, 0.5),
        ("8/10", 8, 10, 7 / 9),
        ("4.5 stars", 4.5, 5, 0.875),
        ("1 star", 1, 5, 0.0),
        ("5 estrellas", 5, 5, 1.0),
        ("★★★★☆", 4, 5, 0.75),
        ("★★★½☆", 3.5, 5, 0.625),
        ("★★", 2, 5, 0.25),  # filled stars alone are out of 5
        ("80%", 80, 100, 0.8),
        ("7", 7, 10, 6 / 9),  # a lone number above 5 is on a 10-point scale
        ("55", 55, 100, 0.55),
        ("0", 0, 5, 0.0),  # "zero stars" is the worst rating
        (4, 4, 5, 0.75),  # xlsx numbers
        (4.5, 4.5, 5, 0.875),
    ],
)
def test_parse_rating_examples(cell: object, value: float, best: float, normalized: float) -> None:
    rating = parse_rating(cell)
    assert rating is not None
    assert (rating.value, rating.best) == (value, best)
    assert rating.normalized == pytest.approx(normalized)
    assert rating.raw == str(cell).strip()


@pytest.mark.parametrize(
    "cell",
    [None, "", "  ", "excellent", "-1", "6/5", "101", "101%", "4/0", "n/a", True, float("nan"), "1e3", "4 5"],
)
def test_parse_rating_rejects(cell: object) -> None:
    assert parse_rating(cell) is None


def test_column_scale_decides_plain_numbers() -> None:
    # In a 1-10 column a "4" is 4 of 10, not 4 of 5; explicit cells keep their own scale.
    ratings = parse_rating_column(["4", "10", "3/5", "", "x", 7])
    assert [r.normalized if r else None for r in ratings] == pytest.approx(
        [1 / 3, 1.0, 0.5, None, None, 2 / 3]
    )
    assert infer_rating_scale(["1", "2", "5"]) == (1.0, 5.0)
    assert infer_rating_scale(["1", "9.5"]) == (1.0, 10.0)
    assert infer_rating_scale(["20", "95"]) == (0.0, 100.0)
    assert infer_rating_scale(["4/5", "x", "500"]) is None
    assert infer_rating_scale(["1", "2", "5", "7"]) == (1.0, 10.0)  # a small column: 7 decides
    # One typo among many 1-5 ratings does not turn the column into percentages.
    assert infer_rating_scale(["5"] * 150 + ["3"] * 50 + ["44"]) == (1.0, 5.0)
    ratings = parse_rating_column(["5"] * 150 + ["3"] * 50 + ["44"])
    assert (ratings[0].normalized, ratings[150].normalized, ratings[200]) == (1.0, 0.5, None)


def test_normalize_rating() -> None:
    assert normalize_rating(3, 5, 1) == 0.5
    assert normalize_rating(0, 5, 1) == 0.0
    with pytest.raises(ValueError):
        normalize_rating(3, 1, 1)


# ----------------------------------------------------------------------------------------------
# Ratings: properties

scales = st.sampled_from([5.0, 10.0, 100.0])


@relaxed
@given(st.text(max_size=30) | st.floats(allow_nan=True) | st.integers())
def test_any_cell_gives_none_or_a_rating_within_0_1(cell: object) -> None:
    rating = parse_rating(cell)
    assert rating is None or 0.0 <= rating.normalized <= 1.0


@relaxed
@given(scales, st.data())
def test_normalized_within_0_1_on_every_scale(best: float, data: st.DataObject) -> None:
    value = data.draw(st.floats(min_value=0, max_value=best, allow_nan=False))
    for cell in (value, f"{value:.4f}", f"{value:.4f}".replace(".", ",")):  # xlsx number, CSV text
        rating = parse_rating(cell, best=best)
        assert rating is not None
        assert 0.0 <= rating.normalized <= 1.0


@relaxed
@given(scales, st.data())
def test_monotone_in_value_for_a_fixed_scale(best: float, data: st.DataObject) -> None:
    a, b = sorted(data.draw(st.lists(st.decimals(0, best, places=1), min_size=2, max_size=2)))
    ra, rb = parse_rating(str(a), best=best), parse_rating(str(b), best=best)
    assert ra is not None and rb is not None
    assert ra.normalized <= rb.normalized


@relaxed
@given(st.integers(min_value=2, max_value=100), st.data())
def test_a_over_b_forms(best: int, data: st.DataObject) -> None:
    value = data.draw(st.decimals(0, best, places=1))
    expected = normalize_rating(float(value), best, default_worst(best))
    forms = [f"{value}/{best}", f"{value} / {best}", f"{value} out of {best}", f"{value} de {best}"]
    forms.append(forms[0].replace(".", ","))  # decimal comma
    for form in forms:
        rating = parse_rating(form)
        assert rating is not None, form
        assert (rating.value, rating.best, rating.raw) == (float(value), best, form)
        assert rating.normalized == pytest.approx(expected)


@relaxed
@given(st.integers(min_value=1, max_value=100), st.integers(min_value=1, max_value=100))
def test_a_over_b_above_the_scale_is_rejected(best: int, excess: int) -> None:
    assert parse_rating(f"{best + excess}/{best}") is None


@relaxed
@given(st.integers(min_value=0, max_value=5), st.integers(min_value=0, max_value=5))
def test_star_strings(filled: int, empty: int) -> None:
    cell = "★" * filled + "☆" * empty
    rating = parse_rating(cell)
    if filled + empty == 0 or (filled, empty) == (0, 1):  # "☆" alone is no scale
        assert rating is None
    else:
        assert rating is not None
        assert rating.value == filled
        assert rating.best == (filled + empty if empty else 5)


# ----------------------------------------------------------------------------------------------
# Dates: examples


@pytest.mark.parametrize(
    ("cell", "dayfirst", "expected"),
    [
        ("2024-03-12", False, datetime(2024, 3, 12)),
        ("2024-03-12T10:20:30", False, datetime(2024, 3, 12, 10, 20, 30)),
        ("2024-03-12T10:20:30Z", False, datetime(2024, 3, 12, 10, 20, 30)),
        ("2024-03-12 10:20:30.250+02:00", False, datetime(2024, 3, 12, 8, 20, 30, 250000)),
        ("2024-03-12T23:30:00-05:00", False, datetime(2024, 3, 13, 4, 30)),
        ("2024/03/12", True, datetime(2024, 3, 12)),
        ("12/03/2024", False, datetime(2024, 12, 3)),
        ("12/03/2024", True, datetime(2024, 3, 12)),
        ("12.03.2024 14:30", True, datetime(2024, 3, 12, 14, 30)),
        ("3/4/24 2:05 PM", False, datetime(2024, 3, 4, 14, 5)),
        ("12 Mar 2024", False, datetime(2024, 3, 12)),
        ("March 12, 2024", False, datetime(2024, 3, 12)),
        ("Tue, 12 Mar 2024 10:00:00 GMT", False, datetime(2024, 3, 12, 10)),
        ("12 de marzo de 2024", False, datetime(2024, 3, 12)),
        ("1 ene 2024", False, datetime(2024, 1, 1)),
        ("Reviewed in the United States on March 12, 2024", False, datetime(2024, 3, 12)),
        ("Calificado en México el 12 de marzo de 2024", False, datetime(2024, 3, 12)),
        ("1710000000", False, datetime(2024, 3, 9, 16)),
        ("1710000000000", False, datetime(2024, 3, 9, 16)),
        (1710000000, False, datetime(2024, 3, 9, 16)),
        (45363, False, datetime(2024, 3, 12)),  # Excel serial day
        (45363.5, False, datetime(2024, 3, 12, 12)),
        (datetime(2024, 3, 12, 9), False, datetime(2024, 3, 12, 9)),
        (date(2024, 3, 12), False, datetime(2024, 3, 12)),
        (pd.Timestamp("2024-03-12 10:00", tz="Europe/Madrid"), False, datetime(2024, 3, 12, 9)),
    ],
)
def test_parse_date_examples(cell: object, dayfirst: bool, expected: datetime) -> None:
    assert parse_date(cell, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    "cell",
    [None, "", "yesterday", "2024", "March 2024", "12/03", "31/31/2024", "2024-02-30", "1/2", "12345",
     "1900-01-01", "2150-01-01", pd.NaT, float("nan"), True, "n/a", "Q1 2024"],
)  # fmt: skip
def test_parse_date_rejects(cell: object) -> None:
    assert parse_date(cell) is None


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["25/12/2024", "01/02/2024"], True),
        (["12/25/2024", "01/02/2024"], False),
        (["01/02/2024", "03/04/2024"], None),  # never tells
        (["25/12/2024", "12/25/2024"], None),  # tells both ways: the user's option decides
        (["2024-12-25", "x", 5], None),
    ],
)
def test_detect_dayfirst(cells: list[object], expected: bool | None) -> None:
    assert detect_dayfirst(cells) is expected


def test_parse_date_column_parses_each_value_once() -> None:
    cells = ["2024-01-01", "2024-01-01", "bad", ""] * 1000
    out = parse_date_column(cells)
    assert out[:4] == [datetime(2024, 1, 1), datetime(2024, 1, 1), None, None]
    assert len(out) == 4000


# ----------------------------------------------------------------------------------------------
# Dates: properties (round trip of formatted datetimes)

datetimes = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31))
days = datetimes.map(lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0))
seconds = datetimes.map(lambda d: d.replace(microsecond=0))
SPANISH = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"]  # fmt: skip


@relaxed
@given(seconds)
def test_round_trip_iso(value: datetime) -> None:
    assert parse_date(value.isoformat()) == value
    assert parse_date(value.isoformat(sep=" ")) == value
    assert parse_date(value.strftime("%Y-%m-%d")) == value.replace(hour=0, minute=0, second=0)


@relaxed
@given(datetimes)
def test_round_trip_iso_with_microseconds(value: datetime) -> None:
    assert parse_date(value.isoformat(timespec="microseconds")) == value


@relaxed
@given(seconds, st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_round_trip_iso_with_offset(value: datetime, minutes: int) -> None:
    local = value.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    expected = local.astimezone(UTC).replace(tzinfo=None)
    if datetime(1970, 1, 1) <= expected < datetime(2100, 1, 1):
        assert parse_date(local.isoformat()) == expected


@relaxed
@given(days)
def test_round_trip_day_and_month_orders(value: datetime) -> None:
    assert parse_date(value.strftime("%d/%m/%Y"), dayfirst=True) == value
    assert parse_date(value.strftime("%m/%d/%Y"), dayfirst=False) == value
    assert parse_date(value.strftime("%d.%m.%Y"), dayfirst=True) == value
    assert parse_date(value.strftime("%Y/%m/%d")) == value


@relaxed
@given(days)
def test_round_trip_month_names(value: datetime) -> None:
    for pattern in ("%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d %Y", "%a, %d %b %Y"):
        assert parse_date(value.strftime(pattern)) == value, pattern
    spanish = f"{value.day} de {SPANISH[value.month - 1]} de {value.year}"
    assert parse_date(spanish) == value


@relaxed
@given(seconds)
def test_round_trip_unix_timestamps(value: datetime) -> None:
    stamp = int(value.replace(tzinfo=UTC).timestamp())
    if stamp >= 100_000_000:  # smaller numbers are Excel serial days or not dates at all
        assert parse_date(str(stamp)) == value
        assert parse_date(stamp) == value
        assert parse_date(str(stamp * 1000)) == value


@relaxed
@given(days)
def test_detect_dayfirst_finds_day_first_columns(value: datetime) -> None:
    # Any day-first date plus one proof; the month (second part) is never above 12.
    assert detect_dayfirst([value.strftime("%d/%m/%Y"), "25/01/2024"]) is True
    assert detect_dayfirst([value.strftime("%m/%d/%Y"), "01/25/2024"]) is False


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_none_or_a_date_in_range(cell: str) -> None:
    parsed = parse_date(cell)
    assert parsed is None or (datetime(1970, 1, 1) <= parsed < datetime(2100, 1, 1) and parsed.tzinfo is None)
