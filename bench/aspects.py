"""Aspect benchmarks: extraction speed, the Products page's aspect view at 100k reviews, and quality.

    python -m bench.aspects                       # all (a few minutes)
    python -m bench.aspects --only speed|render|quality
    python -m bench.aspects --rows 20000          # smaller speed/render runs

* **speed**: :func:`core.storage.aspect_scoring.prepare` on the import benchmark's synthetic reviews
  (:mod:`bench.store`, 25–60 words), extraction and sentence scoring timed apart.
* **render**: a 100k-review SQLite store imported with aspects; the aspect view's first load (the
  stored mentions read once, as the page caches them) and then what every render computes (the
  filtered mentions, rules and table: :func:`core.aspect_report.aspect_table`), median of 3.
* **quality**: top-10 aspects per product on the demo sample and on the Women's Clothing reviews of
  ``../shared/data/reviews/`` (products = its "Class Name"; skipped with a reason when absent), judged
  by :data:`ACTIONABLE` (the written rule below); and agreement of each mention's sentiment with its
  review's stars (1–2 negative, 3 neutral, 4–5 positive).

The judging rule, written before looking at the output: *an aspect counts as correct if it names a
product attribute, a part of the product, or a service facet that an analyst could act on (a team
could change it, fix it or explain it)*. Every catalogue aspect qualifies; a discovered term qualifies
when it is in :data:`ACTIONABLE`, the list of such nouns for these product kinds. Usage settings
(trip, pavement, knee), people, and the product itself do not.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.nlp.aspect_catalogue import word_set
from core.settings import REPO_ROOT

SAMPLE = REPO_ROOT / "dashboard" / "sample_data" / "sample_reviews.csv"
CLOTHING = REPO_ROOT.parent / "shared" / "data" / "reviews" / "womens_clothing_ecommerce_reviews.csv.gz"
OUT_DIR = Path(__file__).resolve().parent / "out"
# Nouns naming a part, attribute or service facet of the demo and clothing products (the judging list).
ACTIONABLE = word_set(
    """
    carafe lid tank marking display heater plate timer handle filter button basket pot brew spout
    cup ear cup headband case app firmware bluetooth pairing noise cancelling call mic cushion pad
    sole lace toe box cushioning grip stitching heel insole tongue upper cutout camera button corner
    edge lip charging grip case texture pump bottle formula scent residue ingredient spf tube waist
    sleeve neckline neck zipper zip lining pocket strap hem bust shoulder chest hip arm back collar
    seam stitching skirt bottom top sweater dress jean jeans pant pants shirt blouse button fabric
    material cotton silk knit wash washing shrink petite bra cup slip detail embroidery print
    pattern ruffle tie belt leg rise thigh inseam torso cut design quality price color colour size
    fit length style shape
    """
)
LABEL_OF_STARS = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}


def _median(call: Any, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        tick = time.perf_counter()
        call()
        times.append(time.perf_counter() - tick)
    return round(statistics.median(times), 3)


def bench_speed(rows: int) -> dict[str, Any]:
    """Extraction and unit scoring of `rows` synthetic reviews (the import benchmark's)."""
    from bench.store import _rows
    from core.inference.predictor import get_predictor
    from core.inference.sentences import unit_scores
    from core.nlp.aspects import default_extractor

    predictor = get_predictor()
    texts = [row["review"] for row in _rows(rows)]
    extractor = default_extractor()
    extractor.mentions_many(texts[:2000])  # warm the word caches, as a running app has them
    tick = time.perf_counter()
    found = extractor.mentions_many(texts)
    extract = time.perf_counter() - tick
    units = [sorted({(m.unit_start, m.unit_end) for m in own}) for own in found]
    tick = time.perf_counter()
    unit_scores(predictor, texts, units)
    score = time.perf_counter() - tick
    mentions = sum(map(len, found))
    return {
        "reviews": rows,
        "mentions": mentions,
        "extract_s": round(extract, 2),
        "score_units_s": round(score, 2),
        "total_s": round(extract + score, 2),
        "reviews_per_s": int(rows / (extract + score)),
    }


def bench_render(rows: int) -> dict[str, Any]:
    """The aspect view of a product with `rows` reviews in a SQLite store imported with aspects."""
    from bench.store import _rows
    from core.aspect_report import aspect_table, rules_from
    from core.inference.predictor import get_predictor
    from core.ingestion.rows import ReviewRow
    from core.storage.aspects import aspect_rules, mentions_frame
    from core.storage.engine import dispose_engines, get_engine
    from core.storage.importer import import_rows
    from core.storage.queries import reviews_frame

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    db = OUT_DIR / f"aspects_{rows}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    product = "Everything Kettle"
    review_rows = [
        ReviewRow(text=r["review"], product=product, review_date=r["date"], rating=(r["stars"] - 1) / 4)
        for r in _rows(rows)
    ]
    tick = time.perf_counter()
    summary = import_rows(engine, review_rows, source="csv", source_name="bench", predictor=get_predictor())
    import_s = time.perf_counter() - tick
    tick = time.perf_counter()
    reviews = reviews_frame(engine, [product])
    mentions = mentions_frame(engine, [product])
    first_load = time.perf_counter() - tick

    def render() -> Any:
        own = mentions[mentions["review_id"].isin(reviews["review_id"])]
        return aspect_table(own, len(reviews), rules_from(aspect_rules(engine)))

    def render_filtered() -> Any:
        part = reviews[reviews["label"] == "negative"]
        own = mentions[mentions["review_id"].isin(part["review_id"])]
        return aspect_table(own, len(part), rules_from(aspect_rules(engine)))

    out = {
        "reviews": rows,
        "mentions": len(mentions),
        "import_s": round(import_s, 2),
        "import_aspects_s": summary.timings.get("aspects"),
        "first_load_s": round(first_load, 3),
        "render_s": _median(render),
        "render_negative_only_s": _median(render_filtered),
    }
    dispose_engines(url)
    return out


def _mentions_of(frame: pd.DataFrame, text_col: str, product_col: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mentions (as the store would hold them) of a frame of reviews, scored by the active model."""
    from core.inference.predictor import get_predictor
    from core.storage.aspect_scoring import MENTION_FIELDS, prepare

    predictor = get_predictor()
    texts = frame[text_col].astype(str).tolist()
    probs = predictor.predict_proba(texts)
    prepared = prepare(predictor, texts, review_probs=probs)
    records = [(i, *row) for i, rows in zip(frame.index, prepared.rows, strict=True) for row in rows]
    columns = ["review_id", *MENTION_FIELDS[2:]]
    mentions = pd.DataFrame.from_records(records, columns=columns).rename(
        columns={"p_negative": "negative", "p_neutral": "neutral", "p_positive": "positive"}
    )
    mentions["product"] = frame.loc[mentions["review_id"], product_col].to_numpy()
    mentions["review_date"] = pd.NaT
    return mentions, frame


def _judge(mentions: pd.DataFrame, frame: pd.DataFrame, product_col: str) -> dict[str, Any]:
    from core.aspect_report import aspect_table

    per_product = {}
    correct = total = 0
    for product, part in mentions.groupby("product"):
        n_reviews = int((frame[product_col] == product).sum())
        table = aspect_table(part, n_reviews).head(10)
        verdicts = []
        for key, name in zip(table["aspect"], table["name"], strict=True):
            ok = key.startswith("cat:") or key.split(":", 1)[1] in ACTIONABLE
            verdicts.append(f"{name}{'' if ok else ' ✗'}")
            correct += ok
            total += 1
        per_product[str(product)] = verdicts
    return {"precision_at_10": round(correct / total, 3) if total else None, "top10": per_product}


def _agreement(mentions: pd.DataFrame, stars: pd.Series) -> dict[str, Any]:
    expected = stars.loc[mentions["review_id"]].map(LABEL_OF_STARS).to_numpy()
    got = mentions["label"].to_numpy()
    polar = np.isin(expected, ("negative", "positive"))
    return {
        "mentions": len(mentions),
        "agree_3_class": round(float((got == expected).mean()), 3),
        "agree_polar_stars": round(float((got[polar] == expected[polar]).mean()), 3),
    }


def bench_quality() -> dict[str, Any]:
    """Top-10 precision and star agreement on the demo sample and (when present) the clothing reviews."""
    out: dict[str, Any] = {}
    sample = pd.read_csv(SAMPLE).dropna(subset=["review"]).reset_index(drop=True)
    mentions, _ = _mentions_of(sample, "review", "product")
    rated = sample["rating"].notna()
    out["demo"] = _judge(mentions, sample, "product") | _agreement(
        mentions[rated.loc[mentions["review_id"]].to_numpy()], sample["rating"].dropna().astype(int)
    )
    if not CLOTHING.is_file():
        out["clothing"] = f"skipped: {CLOTHING} is not there (the shared data folder is absent)"
        return out
    clothing = pd.read_csv(CLOTHING).dropna(subset=["Review Text", "Class Name"]).reset_index(drop=True)
    tick = time.perf_counter()
    mentions, _ = _mentions_of(clothing, "Review Text", "Class Name")
    seconds = time.perf_counter() - tick
    big = clothing["Class Name"].value_counts()
    big = big[big >= 500].index  # classes with enough reviews to have ten aspects
    judged = _judge(mentions[mentions["product"].isin(big)], clothing, "Class Name")
    out["clothing"] = (
        judged
        | _agreement(mentions, clothing["Rating"].astype(int))
        | {"reviews": len(clothing), "seconds": round(seconds, 1)}
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.aspects", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("speed", "render", "quality"))
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    import json

    if args.only in (None, "speed"):
        print("speed:", json.dumps(bench_speed(args.rows)), flush=True)
    if args.only in (None, "render"):
        print("render:", json.dumps(bench_render(args.rows)), flush=True)
    if args.only in (None, "quality"):
        print("quality:", json.dumps(bench_quality(), ensure_ascii=False, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
