"""Fixtures of the adaptation tests: the base model, the rated fixture sets, and adapted versions.

Adaptations are module- or session-scoped because each costs seconds; every test that activates a
version rolls back in a `finally`, since other folders' tests score with the active model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import get_settings
from models import adapt

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MEDICATIONS = FIXTURES / "medications_en.csv"
HOTELES = FIXTURES / "hoteles_es.csv"
# Deterministic everywhere: the corpora are on some machines and not others, so no mixing here.
OPTIONS = {"seed": 13, "mix": False}


def labelled(path: Path) -> adapt.LabelledReviews:
    """The fixture file read through the ingestion layer and labelled with the default cut-offs."""
    data = adapt.read_rated_csv(path, "review", "stars", "product")
    return adapt.label_reviews(data, adapt.RatingCutoffs())


@pytest.fixture(scope="session")
def base() -> adapt.BaseModel:
    """The shipped base model, rebuilt for fine-tuning."""
    return adapt.load_base(get_settings().model_dir)


@pytest.fixture(scope="session")
def medications() -> adapt.LabelledReviews:
    """400 English medication reviews, 1–5 stars."""
    return labelled(MEDICATIONS)


@pytest.fixture(scope="session")
def medications_version(base, medications) -> adapt.AdaptResult:
    """The medication reviews adapted into a registry version (session registry from tests/conftest.py)."""
    return adapt.run(medications, base, adapt.AdaptOptions(**OPTIONS), source={"kind": "csv"})
