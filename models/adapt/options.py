"""The settings of one adaptation (all recorded in the adapted model's card)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.ingestion.rating_labels import DataRequirements, RatingCutoffs


@dataclass
class AdaptOptions:
    """Settings of one adaptation; all recorded in the model card."""

    seed: int = 13  # split, sampling and training seed
    heldout: float = 0.2  # share of rated reviews kept for the base-vs-adapted proof
    val: float = 0.2  # share of the train part used for early stopping and temperature
    epochs: int = 20  # upper bound; early stopping usually ends sooner (after 5–10 epochs)
    patience: int = 3  # epochs without validation improvement before stopping
    batch_size: int = 32  # small batches: a few hundred reviews still give many steps
    lr: float = 1e-2  # AdamW learning rate; higher than the base run (3e-3): new rows start at zero
    anchor: float = 1.0  # L2-SP strength: AdamW decay toward the base weights (0 = plain fine-tuning)
    mix: bool | None = None  # mix in the original corpora: None = when on disk and the language matches
    mix_ratio: float = 0.5  # general examples per analyst training example (costs ~1 point in-domain at 1.0)
    mix_max: int = 3000  # at most this many general examples
    mix_weight: float = 0.5  # loss weight of a general example relative to an analyst review
    min_word_count: int = 2  # an analyst word joins the vocabulary from this many train-part uses
    max_new_words: int = 5000  # vocabulary growth cap
    min_bigram_count: int = 3  # same for bigrams
    max_new_bigrams: int = 5000
    band: float | None = None  # mixed band (models.model.mixed_band); None keeps the base model's
    min_gain: float = 0.01  # held-out macro-F1 the adapted model must add over the base to pass
    confidence: float = 0.95  # ... and on this share of paired bootstrap resamples of the held-out set
    resamples: int = 1000  # bootstrap resamples for that check
    threads: int = 1  # torch threads: the bag model's ops are tiny, and a second thread only adds
    # synchronisation (measured 6x slower per step on our busy 2-core machine)
    corrupt_labels: str | None = None  # gate sanity checks: "shuffle" or "invert" the train/val labels
    cutoffs: RatingCutoffs = field(default_factory=RatingCutoffs)
    requirements: DataRequirements = field(default_factory=DataRequirements)
