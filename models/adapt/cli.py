"""`python -m models.adapt`: adapt the base model to rated reviews from a file or the store.

`python -m models.adapt --csv FILE --text-column NAME --rating-column NAME [--out DIR]`
(or `--products NAME ...` / `--all-products` for rated reviews already in the store) reads and labels
the reviews, loads the base model, runs :func:`models.adapt.pipeline.run` and prints the base-vs-adapted
report; `--status-file` records progress for a background run (`models.adapt.job`).

Exit codes: 0 the adapted model passed the gate; 2 unusable data or arguments; 3 written but refused
by the gate (it cannot be activated); 1 anything else.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

from core.ingestion.rating_labels import LABELS, RatingCutoffs
from models.adapt.data import AdaptError, corpora_available, read_rated_csv, read_rated_store
from models.adapt.extend import load_base
from models.adapt.job import StatusFile
from models.adapt.labels import InsufficientData, label_reviews
from models.adapt.options import AdaptOptions
from models.adapt.pipeline import run, summary

EXIT_OK, EXIT_ERROR, EXIT_DATA, EXIT_GATE = 0, 1, 2, 3


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


def terminate(signum: int, frame: object) -> None:
    """SIGTERM handler (`AdaptJob.cancel`): unwind through write_version's cleanup, record \"cancelled\"."""
    raise KeyboardInterrupt


def cancellable_main(argv: list[str] | None = None) -> int:
    """`python -m models.adapt` and `sentiment adapt`: :func:`main`, cancellable with SIGTERM."""
    signal.signal(signal.SIGTERM, terminate)  # `AdaptJob.cancel`: clean up, record "cancelled"
    return main(argv)


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
