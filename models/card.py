"""The base model's card: `model_card.json` (provenance, settings, metrics, thresholds, limits) and
`MODEL_CARD.md`, its human-readable form.

The prose lives in Markdown beside this module, in `card_templates/`: `design_notes.md` and
`known_limits.md` (one bullet per entry, copied into the card's `design` and `known_limits` lists) and
`model_card.md` (the layout of MODEL_CARD.md, a :class:`string.Template`). Each template may open with an
HTML comment for its editors; it is not part of the text.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import asdict
from pathlib import Path
from string import Template
from typing import Any

from models import data as corpora
from models.model import BagModel
from models.training import Run, TrainConfig

TEMPLATES = Path(__file__).resolve().parent / "card_templates"
THRESHOLD_MARGIN = 0.01  # gate thresholds sit this far below the measured figures (rounded down)
GATE_TOLERANCE = 0.005  # a fresh evaluation of the artifact must match the card within this
RETRAIN = "make data && make train   (python -m models.data; python -m models.train)"
_EDITOR_NOTE = re.compile(r"\A<!--.*?-->\n+", re.DOTALL)
_SOLE_FIELD = re.compile(r"\$\{(\w+)\}")


def template_text(name: str) -> str:
    """The text of `card_templates/<name>` without its leading editors' comment."""
    return _EDITOR_NOTE.sub("", (TEMPLATES / name).read_text(encoding="utf-8"), count=1)


def bullets(name: str) -> list[str]:
    """The bullets of a Markdown list template, each joined back onto one line."""
    items: list[str] = []
    for line in template_text(name).splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.strip():
            items[-1] += " " + line.strip()
    return items


def build_card(
    version: str,
    config: TrainConfig,
    final: Run,
    band: dict,
    in_domain: dict,
    lodo: dict,
    comparison: dict,
    sizes: dict,
    speed: dict,
    dry: bool,
) -> dict[str, Any]:
    """The model card: provenance, settings, metrics, comparison, thresholds, limits."""

    def floor(x: float) -> float:
        return math.floor((float(x) - THRESHOLD_MARGIN) * 100) / 100

    model = final.result.model
    if not isinstance(model, BagModel):
        raise TypeError(f"the card describes the shipped bag model, not a {type(model).__name__}")
    thresholds = {
        "tweets/test": {"macro_f1": floor(in_domain["tweets/test"]["macro_f1"])},
        "imdb/test": {"accuracy": floor(in_domain["imdb/test"]["accuracy"])},
    }
    return {
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dry_run": dry,
        "task": "3-class review sentiment: negative / neutral / positive",
        "language": final.features.language,
        "architecture": {
            "name": "fastText-style EmbeddingBag (words + bigrams + negated words) + VADER lexicon features",
            **asdict(model.config),
            "parameters": sum(p.numel() for p in model.parameters()),
            "temperature": final.temperature,
            "mixed_band": band["chosen"],
        },
        "features": {
            "words": final.features.n_words,
            "bigrams": len(final.features.bigrams),
            "stopwords": len(final.features.stopwords),
            "max_tokens": final.features.max_tokens,
            "max_chars": final.features.max_chars,
            "negation_window": final.features.negation_window,
        },
        "training": {
            **asdict(config),
            "best_epoch": final.result.best_epoch,
            "history": final.result.history,
            "seconds": final.result.seconds,
            "loss": "class-weighted cross-entropy (tweets, weighted by annotator confidence); IMDB rows use "
            "cross-entropy on the renormalised (negative, positive) pair only",
        },
        "corpora": corpora.corpus_hashes(),
        "splits": {"seed": corpora.SPLIT_SEED, "fractions": list(corpora.SPLIT_FRACTIONS), "sizes": sizes},
        "metrics": {"in_domain": in_domain, "leave_one_domain_out": lodo},
        "band_selection": band,
        "architecture_comparison": comparison,
        "speed": speed,
        "thresholds": thresholds,
        "gate_tolerance": GATE_TOLERANCE,
        "design": bullets("design_notes.md"),
        "known_limits": bullets("known_limits.md"),
        "retrain": RETRAIN,
    }


def _metrics_table(rows: dict[str, dict]) -> list[str]:
    lines = [
        "| split | n | accuracy | macro-F1 | neg F1 | neu F1 | pos F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, m in rows.items():
        pc = m["per_class"]
        lines.append(
            f"| {key} | {m['n']} | {m['accuracy']} | {m['macro_f1']} | {pc['negative']['f1']} | "
            f"{pc['neutral']['f1']} | {pc['positive']['f1']} |"
        )
    return lines


def _comparison_rows(comparison: dict[str, dict]) -> list[str]:
    return [
        f"| {name} | {r['tweets_test_macro_f1']} | {r['imdb_test_accuracy']} | "
        f"{r['lodo_imdb_test_macro_f1']} | {r['lodo_tweets_test_macro_f1']} | {r['train_seconds']} | "
        f"{r['predict_ms_per_1k_texts']} | "
        f"{r['parameters']:,} |"
        for name, r in comparison.items()
    ]


def render_card_md(card: dict[str, Any]) -> str:
    """MODEL_CARD.md from the card JSON, laid out by `card_templates/model_card.md`."""
    arch = card["architecture"]
    fields: dict[str, object] = {
        "version": card["version"],
        "task": card["task"],
        "architecture_name": arch["name"],
        "parameters": f"{arch['parameters']:,}",
        "dim": arch["dim"],
        "prior_weight": arch.get("prior_weight", 0.0),
        "temperature": arch["temperature"],
        "mixed_band": arch["mixed_band"],
        "created_at": card["created_at"],
        "in_domain_table": _metrics_table(card["metrics"]["in_domain"]),
        "lodo_table": _metrics_table(card["metrics"]["leave_one_domain_out"]),
        "comparison_rows": _comparison_rows(card.get("architecture_comparison", {})),
        "speed": [f"- {k}: {v}" for k, v in card["speed"].items()],
        "thresholds": [f"- {split}: {m}" for split, m in card["thresholds"].items()],
        "gate_tolerance": card["gate_tolerance"],
        "design": [f"- {x}" for x in card["design"]],
        "known_limits": [f"- {x}" for x in card["known_limits"]],
        "corpora": [
            f"- {d}: `{c['package']}` wheel sha256 `{c['wheel_sha256']}`, CSV sha256 `{c['csv_sha256']}`"
            for d, c in card["corpora"].items()
        ],
        "split_seed": card["splits"]["seed"],
        "split_fractions": str(card["splits"]["fractions"]),
        "split_sizes": card["splits"]["sizes"],
        "retrain": card["retrain"],
    }
    values = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in fields.items()}
    layout = [
        line
        for line in template_text("model_card.md").splitlines(keepends=True)
        if not ((m := _SOLE_FIELD.fullmatch(line.rstrip("\n"))) and not values[m.group(1)])
    ]
    return Template("".join(layout)).substitute(values)


def write_card(card: dict[str, Any], out_dir: Path) -> None:
    """Write `model_card.json` and `MODEL_CARD.md` into `out_dir`."""
    (out_dir / "model_card.json").write_text(
        json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out_dir / "MODEL_CARD.md").write_text(render_card_md(card), encoding="utf-8")


def add_comparison(out_dir: Path, comparison: dict[str, dict]) -> None:
    """Put a fresh architecture comparison into the existing card in `out_dir` (`--compare-only`)."""
    card = json.loads((out_dir / "model_card.json").read_text(encoding="utf-8"))
    card["architecture_comparison"] = comparison
    write_card(card, out_dir)
