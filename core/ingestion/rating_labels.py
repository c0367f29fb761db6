"""Star ratings as training labels, and the check that there are enough of them.

Ratings arrive normalised to 0–1 by ingestion, `(value - worst) / (best - worst)`. The default
cut-offs put 1–2 of 5 in negative, 3 in neutral, 4–5 in positive, and on a 10-point scale 1–4,
5–6 and 7–10, because those scales normalise to 0–0.25 / 0.5 / 0.75–1 and 0–0.33 / 0.44–0.56 /
0.67–1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class RatingCutoffs:
    """A normalised rating <= `negative_max` is negative, < `positive_min` neutral, else positive."""

    negative_max: float = 0.34
    positive_min: float = 0.6

    def __post_init__(self) -> None:
        if not 0.0 <= self.negative_max < self.positive_min <= 1.0:
            raise ValueError("cut-offs must satisfy 0 <= negative_max < positive_min <= 1")

    def label(self, rating: float | None) -> str | None:
        """The label for one normalised rating; None when there is no rating."""
        if rating is None or rating != rating:  # NaN
            return None
        if rating <= self.negative_max:
            return "negative"
        if rating < self.positive_min:
            return "neutral"
        return "positive"


@dataclass(frozen=True)
class DataRequirements:
    """The least data that supports a fair adapted model and a meaningful held-out comparison."""

    min_total: int = 200
    min_per_class: int = 20


def label_counts(labels: Iterable[str | None]) -> dict[str, int]:
    """Count of each label (all three present, zero when absent); unrated entries are ignored."""
    counts = Counter(label for label in labels if label is not None)
    return {label: counts.get(label, 0) for label in LABELS}


def insufficiency(counts: dict[str, int], requirements: DataRequirements | None = None) -> str | None:
    """Why these class counts cannot support adaptation, in one readable sentence; None if they can."""
    req = requirements or DataRequirements()
    total = sum(counts.values())
    problems = []
    if total < req.min_total:
        problems.append(f"{total} rated reviews (need at least {req.min_total})")
    short = [
        f"{label} has {counts.get(label, 0)}" for label in LABELS if counts.get(label, 0) < req.min_per_class
    ]
    if short:
        problems.append(f"too few in a class: {', '.join(short)} (need at least {req.min_per_class} each)")
    if not problems:
        return None
    return "Not enough rated reviews to adapt fairly: " + "; ".join(problems) + "."
