"""Adapt the base model to an analyst's own rated reviews, prove it on held-out reviews, write a version.

`python -m models.adapt --csv FILE --text-column NAME --rating-column NAME [--out DIR]`
(or `--products NAME ...` for rated reviews already in the store; the CLI is `models.adapt.cli`) runs
:func:`run`, which reads like a story; each step of :func:`adapt` is one function here:

1. **Labels from ratings** (`models.adapt.labels`, on `core.ingestion.rating_labels`): unrated reviews
   are skipped, the class counts are printed, and too little data is refused with a readable sentence
   (exit code 2). :func:`check_labels`.
2. **Language** (`core.nlp.language`): the reviews' dominant language picks the vendored stopword list.
   :func:`detect_language`.
3. **Split**: stratified, seeded 80/20 train / held-out; 20% of train is the validation part that
   early stopping and the temperature use. The held-out reviews are never trained or tuned on.
   :func:`split_reviews`.
4. **Features**: the base vocabulary is extended with the analyst's frequent words and bigrams (from
   the train part only). New rows start at zero (their lexicon valence, if any, is known from VADER);
   every old row is copied to its new position, since adding words moves the bigram and negated blocks.
   :func:`build_features` (the surgery is `models.adapt.extend`).
5. **Fine-tune from the base weights** (read back from the base model's TorchScript file) with
   :func:`models.training.train_loop`. Two guards against forgetting: the weights are *anchored* to the
   base weights (L2-SP: AdamW's decoupled decay pulls toward the base weights, not toward zero, so it
   also works in a deployed app with no corpora), and, when the training corpora are on disk and the
   reviews are in the base model's language, a down-weighted sample of them is mixed into training.
   Nothing is downloaded. :func:`fine_tune`.
6. **Proof**: base and adapted score the same held-out reviews; the gate (`models.adapt.gate`) passes
   only when the adapted model's macro-F1 beats the base by more than `min_gain` (0.01) and it is
   better on at least 95% of paired bootstrap resamples of the held-out reviews (a gain within the noise
   is refused). :func:`prove`.
7. **Version**: TorchScript + features.json + model_card.json (data summary, label mapping, held-out
   metrics of both models, base version, language, created_at, gate) in a new registry directory.
   :func:`adapted_card`, then :func:`write_version`.

`models.adapt.job` runs the CLI in the background.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from core.ingestion.rating_labels import LABELS, label_counts
from core.nlp.features import FeatureConfig, Featurizer
from core.nlp.language import UNKNOWN, language_shares, unrecognised_language_warning
from core.nlp.text import SUPPORTED_LANGUAGES, stopword_set
from models.adapt.data import AdaptError, corpora_available, general_sample, split_indices
from models.adapt.extend import (
    Anchored,
    BaseModel,
    Extension,
    compact_model,
    extend_features,
    extend_model,
    remap,
    scatter_back,
    scripted_proba,
)
from models.adapt.gate import bootstrap_share_better, gate_verdict
from models.adapt.labels import LabelledReviews, check_sufficient, corrupt, scale_mapping
from models.adapt.options import AdaptOptions
from models.model import Network, Scorer
from models.training import (
    TextSet,
    TrainResult,
    concat_textsets,
    fit_temperature,
    lexicon,
    make_textset,
    metrics,
    predict_proba,
    set_seeds,
    train_loop,
)

# stage, overall fraction done (0–1), human message
Progress = Callable[[str, float, str], None]


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
    version_dir: Path

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
    check_labels(reviews, options, progress)
    language, shares = detect_language(reviews.texts, base)
    if warning := unrecognised_language_warning(reviews.texts, language):
        _report(progress, "data", 0.03, warning)
    parts, labels = split_reviews(reviews, options)
    _report(progress, "features", 0.05, f"Language: {language}; {len(parts['train'])} train, "
            f"{len(parts['val'])} validation, {len(parts['heldout'])} held-out reviews")  # fmt: skip
    features = build_features(reviews.texts, labels, parts, base, language, options, progress)
    timings = {"data_and_features": round(time.perf_counter() - started, 1)}
    _report(progress, "training", 0.1, f"Training on {len(features.train)} examples")
    tuned = fine_tune(features, base, options, progress)
    timings["training"] = round(time.perf_counter() - started - timings["data_and_features"], 1)
    _report(progress, "evaluating", 0.88, "Scoring the held-out reviews with both models")
    proof = prove(reviews, parts, base, features, tuned.scorer, options)
    card = adapted_card(reviews, base, options, source=source, language=language, shares=shares,
                        parts=parts, features=features, tuned=tuned, proof=proof,
                        seconds=round(time.perf_counter() - started, 1), timings=timings)  # fmt: skip
    _report(progress, "evaluating", 0.92, proof.gate["verdict"])
    return Adapted(tuned.scorer, features.ext.features, card, proof.adapted_set)


def check_labels(reviews: LabelledReviews, options: AdaptOptions, progress: Progress | None = None) -> None:
    """Step 1: refuse too little data (:class:`InsufficientData`), then report the class counts."""
    check_sufficient(reviews, options.requirements)
    counts = reviews.counts
    _report(progress, "data", 0.02, "Class counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def detect_language(texts: Sequence[str], base: BaseModel) -> tuple[str, dict[str, float]]:
    """Step 2: the reviews' dominant supported language (else the base model's) and the language shares."""
    shares = language_shares(texts)
    detected = max((k for k in shares if k != UNKNOWN), key=shares.__getitem__, default=UNKNOWN)
    return (detected if detected in SUPPORTED_LANGUAGES else base.features.language), shares


def split_reviews(
    reviews: LabelledReviews, options: AdaptOptions
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Step 3: stratified train / val / held-out indices, and the labels training may see.

    With `options.corrupt_labels` (the gate's sanity checks) the train and val labels are corrupted;
    the held-out labels always stay true.
    """
    parts = split_indices(reviews.labels, options.seed, options.heldout, options.val)
    labels = np.asarray(reviews.labels)
    if options.corrupt_labels:
        labels = corrupt(labels, parts, options.corrupt_labels, options.seed)
    return parts, labels


@dataclass
class Features:
    """Step 4's result: the tokenised reviews, the extended features and network, the encoded sets."""

    tokens: list[list[list[str]]]  # every review, per sentence, tokenised with the language's stopwords
    ext: Extension
    featurizer: Featurizer
    model: Network  # the base network over the extended table (old rows copied, new rows zero)
    train: TextSet  # the train part, plus the general examples when mixed
    val: TextSet
    mix: bool  # whether a sample of the original corpora was mixed in
    general: dict[str, pd.DataFrame]  # that sample ("tweets/train", ..., "imdb/test"); empty if not


def build_features(
    texts: Sequence[str],
    labels: np.ndarray,
    parts: dict[str, np.ndarray],
    base: BaseModel,
    language: str,
    options: AdaptOptions,
    progress: Progress | None = None,
) -> Features:
    """Step 4: tokens with the language's stopwords; vocabulary grown from the train part only; the
    network extended to the new table; train and val encoded, with the general sample mixed in."""
    stopwords = stopword_set(language)
    tokenizer = Featurizer(
        FeatureConfig(vocab=[], bigrams=[], stopwords=sorted(stopwords), language=language)
    )
    tokens = [tokenizer.sentence_tokens(t) for t in texts]
    train_words = [[w for sentence in tokens[i] for w in sentence] for i in parts["train"]]
    ext = extend_features(base.features, train_words, stopwords=stopwords,
                          language=language, options=options)  # fmt: skip
    featurizer = Featurizer(ext.features)
    model = extend_model(base.model, ext, lexicon())

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
            ts = make_textset(
                featurizer, [featurizer.sentence_tokens(t) for t in frame["text"]], frame, name=key
            )
            ts.weights = ts.weights * np.float32(options.mix_weight)
            mixed.append(ts)
        train = concat_textsets([train, *mixed], "train+general")
    return Features(tokens, ext, featurizer, model, train, val, mix, general)


@dataclass
class FineTuned:
    """Step 5's result: the adapted scorer and how its training went."""

    scorer: Scorer
    result: TrainResult
    temperature: float
    band: float
    compact_rows: int  # table rows the examples touch (the size of the compact copy trained)


def fine_tune(
    features: Features, base: BaseModel, options: AdaptOptions, progress: Progress | None = None
) -> FineTuned:
    """Step 5: train the touched rows from the base weights (anchored), fit the temperature, write back.

    Only the table rows these examples touch are trained (a compact copy): rows no analyst review uses
    would get no gradient anyway, and each optimiser step then costs the touched rows, not the table.
    """
    model, train, val = features.model, features.train, features.val
    rows = np.unique(np.concatenate([train.encoded.ids, val.encoded.ids]))
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
    return FineTuned(scorer, result, temperature, band, len(rows))


@dataclass
class Proof:
    """Step 6's result: both models' held-out metrics, the gate, and the encoded held-out reviews."""

    base_metrics: dict[str, Any]
    adapted_metrics: dict[str, Any]
    gate: dict[str, Any]
    adapted_set: TextSet  # held-out reviews in the adapted features (to check the exported file)
    held_labels: np.ndarray  # their true labels
    general_check: dict[str, dict[str, Any]]  # forgetting check on the general sample, when mixed


def prove(
    reviews: LabelledReviews,
    parts: dict[str, np.ndarray],
    base: BaseModel,
    features: Features,
    scorer: Scorer,
    options: AdaptOptions,
) -> Proof:
    """Step 6: base and adapted score the same held-out reviews; the gate judges the difference."""
    featurizer, tokens = features.featurizer, features.tokens
    held_idx = parts["heldout"]
    held_labels = np.asarray(reviews.labels)[held_idx]  # true labels, even in a sanity check
    adapted_set = make_textset(featurizer, [tokens[i] for i in held_idx], _frame(held_labels), polar=False)
    base_featurizer = Featurizer(base.features)
    held_texts = [reviews.texts[i] for i in held_idx]
    base_tokens = [base_featurizer.sentence_tokens(t) for t in held_texts]
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
    if features.mix:  # did the adapted model forget the general domains? (same samples, both models)
        for key in ("tweets/test", "imdb/test"):
            frame = features.general[key]
            b = make_textset(
                base_featurizer, [base_featurizer.sentence_tokens(t) for t in frame["text"]], frame
            )
            a = make_textset(featurizer, [featurizer.sentence_tokens(t) for t in frame["text"]], frame)
            general_check[key] = {
                "base_macro_f1": metrics(b.labels, _polar_view(scripted_proba(base.scripted, b), b))[
                    "macro_f1"
                ],
                "adapted_macro_f1": metrics(a.labels, _polar_view(predict_proba(scorer, a), a))["macro_f1"],
                "n": len(frame),
            }
    return Proof(base_metrics, adapted_metrics, gate, adapted_set, held_labels, general_check)


def adapted_card(
    reviews: LabelledReviews,
    base: BaseModel,
    options: AdaptOptions,
    *,
    source: dict[str, Any] | None,
    language: str,
    shares: dict[str, float],
    parts: dict[str, np.ndarray],
    features: Features,
    tuned: FineTuned,
    proof: Proof,
    seconds: float,
    timings: dict[str, float],
) -> dict[str, Any]:
    """Step 7 (first half): the adapted model's card, without version and created_at (the writer adds
    them): data summary, label mapping, training record, held-out metrics of both models, the gate."""
    options_record = asdict(options)
    options_record["cutoffs"] = asdict(options.cutoffs)
    options_record["requirements"] = asdict(options.requirements)
    base_arch = base.card.get("architecture")
    architecture = dict(base_arch) if isinstance(base_arch, dict) else {}
    architecture.update(
        name=f"{architecture.get('name', 'fastText-style bag model')} (adapted)",
        n_features=features.ext.features.n_features,
        dim=features.model.config.dim,
        temperature=tuned.temperature,
        mixed_band=tuned.band,
    )
    return {
        "kind": "adapted",
        "description": (
            f"Adapted from {base.version} on {len(reviews.texts)} rated reviews ({language}); held-out "
            f"macro-F1 {proof.adapted_metrics['macro_f1']:.3f} vs base {proof.base_metrics['macro_f1']:.3f}."
        ),
        "task": base.card.get("task", "3-class review sentiment: negative / neutral / positive"),
        "architecture": architecture,
        "base_version": base.version,
        "language": language,
        "labels": list(LABELS),
        "metrics": {"heldout/adapted": proof.adapted_metrics, "heldout/base": proof.base_metrics},
        "known_limits": [
            "Specialised on the reviews it was adapted on; general tweet/movie accuracy may drop a little "
            "(see general_check when the corpora were mixed in).",
            f"Proof rests on {proof.base_metrics['n']} held-out reviews; small sets give noisy macro-F1.",
            "Labels come from star ratings, which are noisy (a 3-star review may read positive).",
        ],
        "label_mapping": {
            "negative_max": options.cutoffs.negative_max,
            "positive_min": options.cutoffs.positive_min,
            "rule": (
                f"normalised rating <= {options.cutoffs.negative_max} negative, "
                f"< {options.cutoffs.positive_min} neutral, else positive"
            ),
            "five_point": scale_mapping(5, options.cutoffs),
            "ten_point": scale_mapping(10, options.cutoffs),
        },
        "data": {
            "source": source or {},
            "rated": len(reviews.texts),
            "unrated_skipped": reviews.unrated,
            "duplicates_skipped": reviews.duplicates,
            "class_counts": reviews.counts,
            "split": {name: len(idx) for name, idx in parts.items()},
            "heldout_class_counts": label_counts(proof.held_labels.tolist()),
            "language_shares": {k: round(v, 3) for k, v in shares.items()},
            "products": sorted(set(reviews.products))[:50],
        },
        "training": {
            "options": options_record,
            "epochs_run": len(tuned.result.history),
            "best_epoch": tuned.result.best_epoch,
            "best_val_macro_f1": tuned.result.best_score,
            "history": tuned.result.history,
            "seconds": seconds,
            "timings": {**timings, "compact_rows": tuned.compact_rows},
            "forgetting_guard": _guard_text(options.anchor > 0, features.mix, options),
            "mixed_general_examples": int(len(features.train) - len(parts["train"])),
            "vocabulary": {
                "base_words": base.features.n_words,
                "added_words": len(features.ext.new_words),
                "added_bigrams": len(features.ext.new_bigrams),
                "examples_added": features.ext.new_words[:25],
            },
        },
        "temperature": tuned.temperature,
        "band": tuned.band,
        "heldout": {"base": proof.base_metrics, "adapted": proof.adapted_metrics},
        "general_check": proof.general_check,
        "gate": proof.gate,
    }


def _polar_view(probs: np.ndarray, data: TextSet) -> np.ndarray:
    """For polarity-only sets (IMDB) judge the positive-vs-negative decision alone."""
    if data.polar.all():
        probs = probs.copy()
        probs[:, 1] = 0.0
    return probs


def _guard_text(anchored: bool, mix: bool, options: AdaptOptions) -> str:
    parts = []
    if anchored:
        parts.append(f"L2-SP toward the base weights (decoupled, strength {options.anchor})")
    if mix:
        parts.append(f"original corpora mixed in (ratio {options.mix_ratio}, weight {options.mix_weight})")
    return "; ".join(parts) or "none"


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
