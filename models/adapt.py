"""Adapt the base model to an analyst's own rated reviews, prove it on held-out reviews, write a version.

`python -m models.adapt --csv FILE --text-column NAME --rating-column NAME [--out DIR]`
(or `--products NAME ...` for rated reviews already in the store) reads like a story:

1. **Labels from ratings** (`core.ingestion.rating_labels`): unrated reviews are skipped, the class counts are
   printed, and too little data is refused with a readable sentence (exit code 2).
2. **Language** (`core.nlp.language`): the reviews' dominant language picks the vendored stopword list.
3. **Split**: stratified, seeded 80/20 train / held-out; 20% of train is the validation part that
   early stopping and the temperature use. The held-out reviews are never trained or tuned on.
4. **Features**: the base vocabulary is extended with the analyst's frequent words and bigrams (from
   the train part only). New rows start at zero (their lexicon valence, if any, is known from VADER);
   every old row is copied to its new position, since adding words moves the bigram and negated blocks.
5. **Fine-tune from the base weights** (read back from the base model's TorchScript file) with
   :func:`models.train.train_loop`. Two guards against forgetting: the weights are *anchored* to the
   base weights (L2-SP: AdamW's decoupled decay pulls toward the base weights, not toward zero, so it
   also works in a deployed app with no corpora), and, when the training corpora are on disk and the
   reviews are in the base model's language, a down-weighted sample of them is mixed into training.
   Nothing is downloaded.
6. **Proof**: base and adapted score the same held-out reviews; the gate passes only when the adapted
   model's macro-F1 beats the base by more than `min_gain` (0.01) and it is better on at least 95% of
   paired bootstrap resamples of the held-out reviews (a gain within the noise is refused).
7. **Version**: TorchScript + features.json + model_card.json (data summary, label mapping, held-out
   metrics of both models, base version, language, created_at, gate) in a new registry directory.

The pieces: `models.adapt_data` (reading, labelling, splitting), `models.adapt_model` (rebuilding the
base network, growing and training its feature table), `models.adapt_gate` (the proof); this module
tells the story, writes the version and is the CLI. `models.adapt_job` runs it in the background.

Exit codes: 0 the adapted model passed the gate; 2 unusable data or arguments; 3 written but refused
by the gate (it cannot be activated); 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from core.ingestion.rating_labels import LABELS, DataRequirements, RatingCutoffs, label_counts
from core.nlp.features import FeatureConfig, Featurizer
from core.nlp.language import UNKNOWN, language_shares
from core.nlp.text import SUPPORTED_LANGUAGES, stopword_set
from models.adapt_data import (
    AdaptError,
    InsufficientData,
    LabelledReviews,
    RatedReviews,
    check_sufficient,
    corrupt,
    label_reviews,
    read_rated_csv,
    read_rated_store,
    split_indices,
)
from models.adapt_gate import bootstrap_share_better, gate_verdict
from models.adapt_model import (
    Anchored,
    BaseModel,
    Extension,
    compact_model,
    extend_features,
    extend_model,
    load_base,
    remap,
    scatter_back,
    scripted_proba,
)
from models.model import Scorer
from models.train import (
    TextSet,
    concat_textsets,
    fit_temperature,
    lexicon,
    make_textset,
    metrics,
    predict_proba,
    set_seeds,
    train_loop,
)

__all__ = [  # the adaptation API; the pieces live in models.adapt_data / adapt_model / adapt_gate
    "AdaptError",
    "AdaptOptions",
    "AdaptResult",
    "Adapted",
    "BaseModel",
    "Extension",
    "InsufficientData",
    "LabelledReviews",
    "RatedReviews",
    "RatingCutoffs",
    "Scorer",
    "adapt",
    "bootstrap_share_better",
    "check_sufficient",
    "extend_features",
    "extend_model",
    "gate_verdict",
    "label_reviews",
    "load_base",
    "main",
    "read_rated_csv",
    "read_rated_store",
    "run",
    "split_indices",
    "summary",
    "write_version",
]

EXIT_OK, EXIT_ERROR, EXIT_DATA, EXIT_GATE = 0, 1, 2, 3
# stage, overall fraction done (0–1), human message
Progress = Callable[[str, float, str], None]


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


@dataclass
class Adapted:
    """An adapted model in memory, before it is written: scorer, features, card, and the encoded
    held-out reviews (to check the exported file against)."""

    scorer: Scorer
    features: FeatureConfig
    card: dict[str, Any]
    heldout: TextSet


@dataclass
class AdaptResult:
    """What :func:`adapt` produced."""

    card: dict[str, Any]
    version_dir: Path | None

    @property
    def passed(self) -> bool:
        """True when the adapted model beat the base on the held-out reviews."""
        return bool(self.card["gate"]["passed"])

    @property
    def verdict(self) -> str:
        """One readable line: the gate's decision and the numbers behind it."""
        return str(self.card["gate"]["verdict"])


def _report(progress: Progress | None, stage: str, fraction: float, message: str) -> None:
    if progress is not None:
        progress(stage, round(min(max(fraction, 0.0), 1.0), 3), message)


def unrecognised_language_warning(texts: Sequence[str], language: str) -> str | None:
    """A warning when most reviews are written in a non-Latin script (Chinese, Russian, Arabic...):
    no supported language, yet they would silently be treated as `language`. (Short English
    reviews, also "unknown" to the stopword detector, do not trigger it.)"""

    def non_latin(text: str) -> bool:
        letters = [c for c in text if c.isalpha()]
        foreign = sum(not unicodedata.name(c, "").startswith("LATIN") for c in letters)
        return bool(letters) and foreign > len(letters) / 2

    share = sum(non_latin(t) for t in texts) / max(len(texts), 1)
    if share <= 0.5:
        return None
    return (
        f"Warning: {share:.0%} of the reviews are in a language this product does not support "
        f"(supported: {', '.join(SUPPORTED_LANGUAGES)}); they are tokenised as {language}, so the "
        "adapted model may not be reliable."
    )


def corpora_available() -> bool:
    """True when both training corpora are on disk (extracted and stamped by `python -m models.data`)."""
    from models import data

    return all(
        c.csv_path.is_file() and (data.CORPORA_DIR / f"{c.csv_name}.json").is_file() for c in data.CORPORA
    )


def general_sample(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """`n` examples from the base model's own training splits (half tweets, half IMDB) and a small
    sample of their test splits for the forgetting check. Reads local files only."""
    from models import data

    frames = data.load_splits()
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}
    for domain, splits in frames.items():
        for split, size in (("train", n // 2), ("test", 300)):
            frame = splits[split]
            pick = rng.permutation(len(frame))[: min(size, len(frame))]
            out[f"{domain}/{split}"] = frame.iloc[pick].reset_index(drop=True)
    return out


def _frame(labels: Sequence[str], domain: str = "analyst") -> pd.DataFrame:
    return pd.DataFrame({"label": list(labels), "weight": np.float32(1.0), "domain": domain})


# ---------------------------------------------------------------------------------------------- adapt


def adapt(
    reviews: LabelledReviews,
    base: BaseModel,
    options: AdaptOptions | None = None,
    *,
    source: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Adapted:
    """Fine-tune `base` on labelled reviews and evaluate both models on the same held-out reviews.

    :returns: the adapted scorer, its feature config, the model card (without version and
        created_at; :func:`write_version` adds them; its `gate` holds the verdict) and the held-out set.
    :raises InsufficientData: the class counts cannot support a fair result.
    """
    options = options or AdaptOptions()
    started = time.perf_counter()
    torch.set_num_threads(options.threads)
    set_seeds(options.seed)
    check_sufficient(reviews, options.requirements)
    counts = reviews.counts
    _report(progress, "data", 0.02, "Class counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    shares = language_shares(reviews.texts)
    detected = max((k for k in shares if k != UNKNOWN), key=shares.__getitem__, default=UNKNOWN)
    language = detected if detected in SUPPORTED_LANGUAGES else base.features.language
    if warning := unrecognised_language_warning(reviews.texts, language):
        _report(progress, "data", 0.03, warning)
    stopwords = stopword_set(language)
    parts = split_indices(reviews.labels, options.seed, options.heldout, options.val)
    labels = np.asarray(reviews.labels)
    if options.corrupt_labels:  # sanity checks of the gate; the held-out labels always stay true
        labels = corrupt(labels, parts, options.corrupt_labels, options.seed)
    texts = reviews.texts
    _report(progress, "features", 0.05, f"Language: {language}; {len(parts['train'])} train, "
            f"{len(parts['val'])} validation, {len(parts['heldout'])} held-out reviews")  # fmt: skip

    # features: tokens with the language's stopwords; vocabulary grown from the train part only
    tokenizer = Featurizer(
        FeatureConfig(vocab=[], bigrams=[], stopwords=sorted(stopwords), language=language)
    )
    tokens = [tokenizer.tokens(t) for t in texts]
    ext = extend_features(base.features, [tokens[i] for i in parts["train"]], stopwords=stopwords,
                          language=language, options=options)  # fmt: skip
    featurizer = Featurizer(ext.features)
    lex = lexicon()
    model = extend_model(base.model, ext, lex)

    def encode(name: str) -> TextSet:
        idx = parts[name]
        return make_textset(featurizer, [tokens[i] for i in idx], _frame(labels[idx]), polar=False, name=name)

    train, val = encode("train"), encode("val")
    mix = options.mix if options.mix is not None else corpora_available()
    mix = bool(mix) and language == base.features.language
    general: dict[str, pd.DataFrame] = {}
    if mix:
        _report(progress, "features", 0.08, "Mixing in a sample of the original training corpora")
        general = general_sample(min(options.mix_max, round(options.mix_ratio * len(train))), options.seed)
        mixed = []
        for key in ("tweets/train", "imdb/train"):
            frame = general[key]
            ts = make_textset(featurizer, [featurizer.tokens(t) for t in frame["text"]], frame, name=key)
            ts.weights = ts.weights * np.float32(options.mix_weight)
            mixed.append(ts)
        train = concat_textsets([train, *mixed], "train+general")
    timings = {"data_and_features": round(time.perf_counter() - started, 1)}
    _report(progress, "training", 0.1, f"Training on {len(train)} examples")

    # Train only the table rows these examples touch (a compact copy): rows no analyst review uses
    # would get no gradient anyway, and each optimiser step then costs the touched rows, not the table.
    rows = np.unique(np.concatenate([train.ids, val.ids]))
    small = compact_model(model, rows)
    train_c, val_c = remap(train, rows, model.config.n_features), remap(val, rows, model.config.n_features)
    n_batches = options.epochs * -(-len(train) // options.batch_size)

    def on_batch(done: int, total: int) -> None:
        if done % 10 == 0 or done == total:
            _report(
                progress, "training", 0.1 + 0.75 * done / total, f"Training: batch {done} of at most {total}"
            )

    wrapped = Anchored(small, 1.0 - options.lr * options.anchor, n_batches, on_batch)
    result = train_loop(
        wrapped, train_c, [val_c], epochs=options.epochs, batch_size=options.batch_size, lr=options.lr,
        patience=options.patience, seed=options.seed, log=False,
    )  # fmt: skip
    temperature = fit_temperature(small, [val_c])
    scatter_back(small, model, rows)
    model.eval()
    band = base.band if options.band is None else options.band
    scorer = Scorer(model, temperature=temperature, band=band).eval()
    timings["training"] = round(time.perf_counter() - started - timings["data_and_features"], 1)
    _report(progress, "evaluating", 0.88, "Scoring the held-out reviews with both models")

    held_idx = parts["heldout"]
    held_labels = np.asarray(reviews.labels)[held_idx]  # true labels, even in a sanity check
    adapted_set = make_textset(featurizer, [tokens[i] for i in held_idx], _frame(held_labels), polar=False)
    base_featurizer = Featurizer(base.features)
    held_texts = [texts[i] for i in held_idx]
    base_tokens = [base_featurizer.tokens(t) for t in held_texts]
    base_set = make_textset(base_featurizer, base_tokens, _frame(held_labels), polar=False)
    base_probs, adapted_probs = scripted_proba(base.scripted, base_set), predict_proba(scorer, adapted_set)
    base_metrics = metrics(base_set.labels, base_probs)
    adapted_metrics = metrics(adapted_set.labels, adapted_probs)
    share = bootstrap_share_better(
        base_set.labels,
        base_probs.argmax(axis=1),
        adapted_probs.argmax(axis=1),
        options.resamples,
        options.seed,
    )
    gate = gate_verdict(base_metrics, adapted_metrics, options.min_gain, share, options.confidence)

    general_check = {}
    if mix:  # did the adapted model forget the general domains? (same samples, both models)
        for key in ("tweets/test", "imdb/test"):
            frame = general[key]
            b = make_textset(base_featurizer, [base_featurizer.tokens(t) for t in frame["text"]], frame)
            a = make_textset(featurizer, [featurizer.tokens(t) for t in frame["text"]], frame)
            general_check[key] = {
                "base_macro_f1": metrics(b.labels, _polar_view(scripted_proba(base.scripted, b), b))[
                    "macro_f1"
                ],
                "adapted_macro_f1": metrics(a.labels, _polar_view(predict_proba(scorer, a), a))["macro_f1"],
                "n": len(frame),
            }

    options_record = asdict(options)
    options_record["cutoffs"] = asdict(options.cutoffs)
    options_record["requirements"] = asdict(options.requirements)
    base_arch = base.card.get("architecture")
    architecture = dict(base_arch) if isinstance(base_arch, dict) else {}
    architecture.update(
        name=f"{architecture.get('name', 'fastText-style bag model')} (adapted)",
        n_features=ext.features.n_features,
        dim=model.config.dim,
        temperature=temperature,
        mixed_band=band,
    )
    card: dict[str, Any] = {
        "kind": "adapted",
        "description": (
            f"Adapted from {base.version} on {len(reviews.texts)} rated reviews ({language}); held-out "
            f"macro-F1 {adapted_metrics['macro_f1']:.3f} vs base {base_metrics['macro_f1']:.3f}."
        ),
        "task": base.card.get("task", "3-class review sentiment: negative / neutral / positive"),
        "architecture": architecture,
        "base_version": base.version,
        "language": language,
        "labels": list(LABELS),
        "metrics": {"heldout/adapted": adapted_metrics, "heldout/base": base_metrics},
        "known_limits": [
            "Specialised on the reviews it was adapted on; general tweet/movie accuracy may drop a little "
            "(see general_check when the corpora were mixed in).",
            f"Proof rests on {base_metrics['n']} held-out reviews; small sets give noisy macro-F1.",
            "Labels come from star ratings, which are noisy (a 3-star review may read positive).",
        ],
        "label_mapping": {
            "negative_max": options.cutoffs.negative_max,
            "positive_min": options.cutoffs.positive_min,
            "rule": (
                f"normalised rating <= {options.cutoffs.negative_max} negative, "
                f"< {options.cutoffs.positive_min} neutral, else positive"
            ),
            "five_point": _scale_mapping(5, options.cutoffs),
            "ten_point": _scale_mapping(10, options.cutoffs),
        },
        "data": {
            "source": source or {},
            "rated": len(reviews.texts),
            "unrated_skipped": reviews.unrated,
            "duplicates_skipped": reviews.duplicates,
            "class_counts": counts,
            "split": {name: len(idx) for name, idx in parts.items()},
            "heldout_class_counts": label_counts(held_labels.tolist()),
            "language_shares": {k: round(v, 3) for k, v in shares.items()},
            "products": sorted(set(reviews.products))[:50],
        },
        "training": {
            "options": options_record,
            "epochs_run": len(result.history),
            "best_epoch": result.best_epoch,
            "best_val_macro_f1": result.best_score,
            "history": result.history,
            "seconds": round(time.perf_counter() - started, 1),
            "timings": {**timings, "compact_rows": len(rows)},
            "forgetting_guard": _guard_text(options.anchor > 0, mix, options),
            "mixed_general_examples": int(len(train) - len(parts["train"])),
            "vocabulary": {
                "base_words": base.features.n_words,
                "added_words": len(ext.new_words),
                "added_bigrams": len(ext.new_bigrams),
                "examples_added": ext.new_words[:25],
            },
        },
        "temperature": temperature,
        "band": band,
        "heldout": {"base": base_metrics, "adapted": adapted_metrics},
        "general_check": general_check,
        "gate": gate,
    }
    _report(progress, "evaluating", 0.92, gate["verdict"])
    return Adapted(scorer, ext.features, card, adapted_set)


def _polar_view(probs: np.ndarray, data: TextSet) -> np.ndarray:
    """For polarity-only sets (IMDB) judge the positive-vs-negative decision alone."""
    if data.polar.all():
        probs = probs.copy()
        probs[:, 1] = 0.0
    return probs


def _scale_mapping(points: int, cutoffs: RatingCutoffs) -> dict[str, list[int]]:
    """Which stars of a `points`-point scale (1..points) land in each class."""
    out: dict[str, list[int]] = {label: [] for label in LABELS}
    for star in range(1, points + 1):
        out[str(cutoffs.label((star - 1) / (points - 1)))].append(star)
    return out


def _guard_text(anchored: bool, mix: bool, options: AdaptOptions) -> str:
    parts = []
    if anchored:
        parts.append(f"L2-SP toward the base weights (decoupled, strength {options.anchor})")
    if mix:
        parts.append(f"original corpora mixed in (ratio {options.mix_ratio}, weight {options.mix_weight})")
    return "; ".join(parts) or "none"


# ---------------------------------------------------------------------------------------------- writing


def run(
    reviews: LabelledReviews,
    base: BaseModel,
    options: AdaptOptions | None = None,
    *,
    out_dir: Path | None = None,
    source: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> AdaptResult:
    """Adapt, evaluate and write the version (a new registry directory unless `out_dir` is given)."""
    adapted = adapt(reviews, base, options, source=source, progress=progress)
    _report(progress, "writing", 0.95, "Writing the version")
    version_dir = write_version(adapted, out_dir)
    card = json.loads((version_dir / "model_card.json").read_text(encoding="utf-8"))
    _report(progress, "done", 1.0, card["gate"]["verdict"])
    return AdaptResult(card, version_dir)


def write_version(adapted: Adapted, out_dir: Path | None = None) -> Path:
    """Write TorchScript + features.json + model_card.json into a new registry version (or `out_dir`).

    Files are written into a temporary sibling first and renamed into place, so a cancelled or failed
    run never leaves a half-written version that the registry would list.
    """
    from core.inference import registry

    if out_dir is None:
        target = registry.new_version_dir()
        target.rmdir()  # reserved the unique name; the finished directory is renamed onto it
    else:
        target = Path(out_dir)
        if target.exists() and any(target.iterdir()):
            raise AdaptError(f"{target} already exists and is not empty; choose a new --out directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.rmdir()
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        card = {
            **adapted.card,
            "version": target.name,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        export_scorer(adapted.scorer, adapted.features, card, staging, check=adapted.heldout)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def export_scorer(
    scorer: Scorer,
    features: FeatureConfig,
    card: dict[str, Any],
    out_dir: Path,
    *,
    check: TextSet | None = None,
) -> None:
    """Export with :func:`models.export.export` (TorchScript + features.json), add the card, and check
    that the reloaded file scores `check` like the eager scorer."""
    from models.export import export

    model_file = export(scorer, features, out_dir)
    (out_dir / "model_card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False), encoding="utf-8")
    if check is not None and len(check):
        from core.inference.predictor import load_scorer

        reloaded = load_scorer(model_file)
        diff = np.abs(scripted_proba(reloaded, check) - predict_proba(scorer, check)).max()
        if diff > 1e-5:
            raise AdaptError(f"the exported model disagrees with the trained one (max difference {diff:.2e})")


# ---------------------------------------------------------------------------------------------- CLI


class StatusFile:
    """Progress as a small JSON file for background runs (`models.adapt_job`); atomic rewrites."""

    def __init__(self, path: Path | None, interval: float = 0.5) -> None:
        self.path = Path(path) if path else None
        self.interval = interval
        self._last = 0.0
        self.state: dict[str, Any] = {"state": "running", "stage": "starting", "progress": 0.0, "message": "",
                                      "pid": os.getpid(), "started_at": time.time()}  # fmt: skip

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        self.update(stage=stage, progress=fraction, message=message)

    def update(self, force: bool = False, **fields: Any) -> None:
        """Merge `fields` into the status and rewrite the file (at most every `interval` seconds)."""
        self.state.update(fields, updated_at=time.time())
        if self.path is None or (not force and time.monotonic() - self._last < self.interval):
            return
        self._last = time.monotonic()
        fd, tmp = tempfile.mkstemp(prefix=".status-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.state, fh, ensure_ascii=False, default=str)
        os.replace(tmp, self.path)


def summary(card: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of a card (for status files and the app)."""
    held = card["heldout"]
    return {
        "version": card.get("version"),
        "passed": card["gate"]["passed"],
        "verdict": card["gate"]["verdict"],
        "base_macro_f1": held["base"]["macro_f1"],
        "adapted_macro_f1": held["adapted"]["macro_f1"],
        "base_accuracy": held["base"]["accuracy"],
        "adapted_accuracy": held["adapted"]["accuracy"],
        "class_counts": card["data"]["class_counts"],
        "language": card["language"],
        "seconds": card["training"]["seconds"],
    }


def format_report(card: dict[str, Any]) -> str:
    """Base-vs-adapted held-out metrics as a small text table, then the verdict line."""
    base, adapted = card["heldout"]["base"], card["heldout"]["adapted"]
    rows = [
        ("accuracy", base["accuracy"], adapted["accuracy"]),
        ("macro-F1", base["macro_f1"], adapted["macro_f1"]),
    ]
    rows += [
        (f"F1 {label}", base["per_class"][label]["f1"], adapted["per_class"][label]["f1"]) for label in LABELS
    ]
    lines = [f"Held-out reviews: {base['n']}", f"{'metric':<14}{'base':>8}{'adapted':>9}"]
    lines += [f"{name:<14}{b:>8.3f}{a:>9.3f}" for name, b, a in rows]
    for name, m in (("base", base), ("adapted", adapted)):
        lines.append(f"confusion ({name}; rows truth neg/neu/pos, columns predicted): {m['confusion']}")
    for key, check in card.get("general_check", {}).items():
        lines.append(
            f"general {key}: macro-F1 base {check['base_macro_f1']:.3f}, "
            f"adapted {check['adapted_macro_f1']:.3f}"
        )
    lines.append(card["gate"]["verdict"])
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m models.adapt", description="Adapt the sentiment model to your rated reviews."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="rated reviews file (CSV or XLSX)")
    source.add_argument(
        "--products", nargs="+", metavar="NAME", help="use rated reviews of these stored products"
    )
    source.add_argument("--all-products", action="store_true", help="use every rated review in the store")
    parser.add_argument("--text-column", help="review text column (with --csv)")
    parser.add_argument("--rating-column", help="rating column (with --csv)")
    parser.add_argument("--product-column", help="optional product column (with --csv)")
    parser.add_argument("--out", type=Path, help="write the version here instead of a new registry directory")
    parser.add_argument(
        "--base", default="base", help="model to adapt: 'base' (default), a version or a directory"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--negative-max",
        type=float,
        default=RatingCutoffs.negative_max,
        help="normalised rating at or below which a review is negative (default 0.34)",
    )
    parser.add_argument("--positive-min", type=float, default=RatingCutoffs.positive_min,
                        help="normalised rating from which a review is positive (default 0.6)")  # fmt: skip
    parser.add_argument("--epochs", type=int, default=AdaptOptions.epochs)
    parser.add_argument("--min-gain", type=float, default=AdaptOptions.min_gain)
    mix = parser.add_mutually_exclusive_group()
    mix.add_argument("--mix", dest="mix", action="store_true", default=None, help="require the local corpora")
    mix.add_argument("--no-mix", dest="mix", action="store_false", help="do not mix in the original corpora")
    parser.add_argument(
        "--activate", action="store_true", help="activate the new version if it passes the gate"
    )
    parser.add_argument("--status-file", type=Path, help="write progress as JSON here (background runs)")
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through write_version's cleanup


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; see the module docstring for the exit codes."""
    args = _parser().parse_args(argv)
    status = StatusFile(args.status_file)
    status.update(force=True)

    def progress(stage: str, fraction: float, message: str) -> None:
        status(stage, fraction, message)
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    def fail(code: int, message: str, state: str = "failed") -> int:
        print(f"Error: {message}" if code != EXIT_DATA else message, file=sys.stderr)
        status.update(force=True, state=state, message=message, exit_code=code)
        return code

    from core.inference import registry
    from core.ingestion.tables import IngestError

    try:
        cutoffs = RatingCutoffs(args.negative_max, args.positive_min)
        options = AdaptOptions(seed=args.seed, epochs=args.epochs, min_gain=args.min_gain, mix=args.mix,
                               cutoffs=cutoffs)  # fmt: skip
        if args.csv is not None:
            if not (args.text_column and args.rating_column):
                return fail(EXIT_DATA, "--csv needs --text-column and --rating-column.")
            data = read_rated_csv(args.csv, args.text_column, args.rating_column, args.product_column)
        else:
            from core.storage.engine import get_engine

            data = read_rated_store(get_engine(), None if args.all_products else args.products)
        reviews = label_reviews(data, cutoffs)
        counts = reviews.counts
        print("Class counts: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              + f" ({reviews.unrated} unrated skipped, {reviews.duplicates} duplicates skipped)")  # fmt: skip
        status.update(force=True, class_counts=counts)
        base = load_base(registry.resolve_model_dir(args.base))
        if options.mix and not corpora_available():
            return fail(
                EXIT_DATA, "--mix needs the training corpora on disk: run `python -m models.data` first."
            )
        result = run(reviews, base, options, out_dir=args.out, source=data.source, progress=progress)
        version_dir, card = result.version_dir, result.card
    except (InsufficientData, AdaptError, ValueError) as exc:
        return fail(EXIT_DATA, str(exc))
    except IngestError as exc:
        return fail(EXIT_DATA, str(exc))
    except registry.RegistryError as exc:
        return fail(EXIT_DATA, str(exc))
    except KeyboardInterrupt:
        return fail(EXIT_ERROR, "Adaptation cancelled.", state="cancelled")
    except Exception as exc:  # the status file must say why a background run died
        fail(EXIT_ERROR, f"{type(exc).__name__}: {exc}")
        raise
    print(format_report(card))
    print(f"Version written: {version_dir}")
    activated = False
    if args.activate and card["gate"]["passed"]:
        registry.activate(version_dir.name)
        activated = True
        print(f"Activated {version_dir.name}.")
    code = EXIT_OK if card["gate"]["passed"] else EXIT_GATE
    status.update(force=True, state="finished", stage="done", progress=1.0, message=card["gate"]["verdict"],
                  result={**summary(card), "version_dir": str(version_dir), "activated": activated},
                  exit_code=code)  # fmt: skip
    return code


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)  # `AdaptJob.cancel`: clean up, record "cancelled"
    raise SystemExit(main())
