"""Fixtures of the adaptation tests: the base model, the rated fixture sets, and adapted versions.

Adaptations are module- or session-scoped because each costs seconds; every test that activates a
version rolls back in a `finally`, since other folders' tests score with the active model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.ingestion.rating_labels import RatingCutoffs
from core.settings import get_settings
from models.adapt.data import read_rated_csv
from models.adapt.extend import BaseModel, load_base
from models.adapt.labels import LabelledReviews, label_reviews
from models.adapt.options import AdaptOptions
from models.adapt.pipeline import AdaptResult, run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MEDICATIONS = FIXTURES / "medications_en.csv"
HOTELES = FIXTURES / "hoteles_es.csv"
# Deterministic everywhere: the corpora are on some machines and not others, so no mixing here.
OPTIONS = {"seed": 13, "mix": False}


def labelled(path: Path) -> LabelledReviews:
    """The fixture file read through the ingestion layer and labelled with the default cut-offs."""
    data = read_rated_csv(path, "review", "stars", "product")
    return label_reviews(data, RatingCutoffs())


@pytest.fixture(scope="session")
def base() -> BaseModel:
    """The shipped base model, rebuilt for fine-tuning."""
    return load_base(get_settings().model_dir)


@pytest.fixture(scope="session")
def medications() -> LabelledReviews:
    """400 English medication reviews, 1–5 stars."""
    return labelled(MEDICATIONS)


@pytest.fixture(scope="session")
def medications_version(base, medications) -> AdaptResult:
    """The medication reviews adapted into a registry version (session registry from tests/conftest.py)."""
    return run(medications, base, AdaptOptions(**OPTIONS), source={"kind": "csv"})
