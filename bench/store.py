"""Store benchmarks: import + score a 100k-row CSV into SQLite, and dashboard queries over 1M reviews.

    python -m bench.store                     # both, figures printed (about 2–3 minutes)
    python -m bench.store --rows 20000 --reviews 200000   # smaller, quicker

Targets (issue 3): the import under 30 s with peak memory under 1.5 GB; each dashboard query under 1 s.
The import runs in a child process so its peak memory (ru_maxrss) is its own. The 1M-review store
is synthesised by bulk-inserting varied, real-looking reviews with predictions straight into the
tables (scoring 1M reviews is the import benchmark's job, not this one's). Inputs and databases go
under ``bench/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

OUT_DIR = Path(__file__).resolve().parent / "out"
PRODUCTS = 50
SEED = 7

_OPENERS = ["", "Honestly, ", "Well, ", "So ", "After two weeks: ", "Update: ", "I have to say ", "Overall "]
_PRAISE = [
    "the battery lasts all day",
    "it works exactly as described",
    "setup took five minutes",
    "the build quality is excellent",
    "customer service replied the same day",
    "it was worth every penny",
    "the screen is bright and sharp",
    "my kids love it",
    "shipping was fast",
    "it feels very solid",
]
_COMPLAINTS = [
    "it stopped working after a week",
    "the battery dies by lunchtime",
    "the app keeps crashing",
    "support never answered my emails",
    "it arrived scratched and dented",
    "the buttons feel cheap",
    "it is far too loud",
    "the instructions are useless",
    "it overheats when charging",
    "it broke on day two",
]
_NEUTRAL = [
    "it does the job",
    "the colour is a bit different from the photos",
    "delivery took about a week",
    "it is average for the price",
    "the box was plain",
    "I expected it to be bigger",
    "it comes with a cable",
]
_CLOSERS = {
    5: ["Highly recommended!", "Five stars.", "Would buy again.", "Love it :)"],
    4: ["Pretty good overall.", "Happy with it.", "Recommended."],
    3: ["It is okay.", "Not bad, not great.", "Meh."],
    2: ["Disappointed.", "Not worth the money.", "Would not buy again."],
    1: ["Avoid!", "Total waste of money.", "Returning it.", "Terrible :("],
}


def _review(rng: random.Random, stars: int) -> tuple[str, str]:
    """A review text of roughly 25–60 words whose tone follows the star rating, and a title."""
    good = {5: 0.9, 4: 0.75, 3: 0.4, 2: 0.2, 1: 0.05}[stars]
    clauses = []
    for _ in range(rng.randint(2, 5)):
        roll = rng.random()
        pool = _PRAISE if roll < good else _COMPLAINTS if roll < 0.85 else _NEUTRAL
        clauses.append(rng.choice(pool))
    text = rng.choice(_OPENERS) + ", and ".join(clauses) + f" (order #{rng.randint(1000, 999999)}). "
    text += rng.choice(_CLOSERS[stars])
    return text[0].upper() + text[1:], rng.choice(_CLOSERS[stars]).rstrip(".!")


def _rows(count: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1)
    for i in range(count):
        stars = rng.choices([1, 2, 3, 4, 5], weights=[12, 8, 10, 25, 45])[0]
        text, title = _review(rng, stars)
        yield {
            "product": f"Product {i % PRODUCTS:02d}",
            "date": start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)),
            "stars": stars,
            "title": title,
            "review": text,
            "author": f"customer{rng.randint(1, 10**7)}",
        }


def _store_rows(count: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """(product index, row) in the order a store fills up: one import per product per month,
    for 24 months, so each product's reviews of a month sit together as they do after real imports.
    """
    months = 24
    per_batch, extra = divmod(count, months * PRODUCTS)
    rows = _rows(count)
    for month in range(months):
        first = datetime(2023 + month // 12, month % 12 + 1, 1)
        for product in range(PRODUCTS):
            for _ in range(per_batch + (1 if month * PRODUCTS + product < extra else 0)):
                row = next(rows)
                row["date"] = first + timedelta(minutes=random.Random(row["author"]).randint(0, 27 * 24 * 60))
                yield product, row


def make_csv(path: Path, rows: int) -> Path:
    """Write a CSV of `rows` synthetic reviews (product, date, stars, title, review, author)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fp:
        writer = csv.DictWriter(fp, fieldnames=["product", "date", "stars", "title", "review", "author"])
        writer.writeheader()
        for row in _rows(rows):
            writer.writerow({**row, "date": row["date"].strftime("%Y-%m-%d %H:%M")})
    return path


def _import_child(csv_path: Path, db_path: Path) -> dict[str, Any]:
    """In the child process: import the CSV into a fresh SQLite file; report timings and peak memory."""
    from core.inference.predictor import get_predictor
    from core.storage.engine import get_engine
    from core.storage.importer import import_file

    db_path.unlink(missing_ok=True)
    engine = get_engine(f"sqlite:///{db_path}")
    predictor = get_predictor()  # loading the model is not part of the import time
    started = time.perf_counter()
    summary = import_file(engine, csv_path, csv_path.name, predictor=predictor)
    total = time.perf_counter() - started
    return {
        "rows_read": summary.rows_read,
        "stored": summary.stored,
        "seconds": round(total, 2),
        "timings": summary.timings,
        "model_version": summary.model_version,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def bench_import(rows: int) -> dict[str, Any]:
    """Import + score a `rows`-row CSV into a fresh SQLite file, in a child process."""
    csv_path = make_csv(OUT_DIR / f"reviews_{rows}.csv", rows)
    db_path = OUT_DIR / "import_bench.sqlite"
    child = subprocess.run(
        [sys.executable, "-m", "bench.store", "--child-import", str(csv_path), str(db_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    timings = result["timings"]
    total = sum(timings.values())
    result["shares"] = {name: round(value / total, 3) for name, value in timings.items()}
    return result


def build_store(url: str, reviews: int) -> None:
    """Bulk-insert `reviews` synthetic reviews with one prediction each (a second model version for
    one product in ten), as a store that has been used for a long time would hold."""
    from sqlalchemy import insert

    from core.storage import rollups
    from core.storage.engine import get_engine, optimize, write_transaction
    from core.storage.schema import PredictionRow, Product, Review, content_hash

    engine = get_engine(url)
    labels = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
    rng = random.Random(SEED)
    with write_transaction(engine) as conn:
        conn.execute(insert(Product), [{"name": f"Product {i:02d}"} for i in range(PRODUCTS)])
    chunk: list[dict[str, Any]] = []
    predictions: list[dict[str, Any]] = []
    scored = datetime(2025, 1, 1)

    def flush() -> None:
        with write_transaction(engine) as conn:
            conn.execute(insert(Review), chunk)
            conn.execute(insert(PredictionRow), predictions)
        chunk.clear()
        predictions.clear()

    for review_id, (product, row) in enumerate(_store_rows(reviews), start=1):
        # the model mostly agrees with the stars; sometimes not (sarcasm, mixed reviews)
        label = (
            labels[row["stars"]] if rng.random() < 0.85 else rng.choice(["negative", "neutral", "positive"])
        )
        confidence = rng.uniform(0.34, 1.0)
        rest = (1 - confidence) / 2
        chunk.append(
            {
                "id": review_id,
                "product_id": product + 1,
                "text": row["review"],
                "title": row["title"],
                "rating_raw": str(row["stars"]),
                "rating": (row["stars"] - 1) / 4,
                "review_date": row["date"],
                "author": row["author"],
                "source": "csv",
                "created_at": scored,
                "content_hash": content_hash(row["review"], row["title"], row["author"]),
            }
        )
        predictions.append(
            {
                "review_id": review_id,
                "model_version": "bench-1",
                "label": label,
                "confidence": confidence,
                "p_negative": confidence if label == "negative" else rest,
                "p_neutral": confidence if label == "neutral" else rest,
                "p_positive": confidence if label == "positive" else rest,
                "scored_at": scored,
                "is_latest": True,
            }
        )
        if product % 10 == 0:  # one product in ten was re-scored: a newer version is the latest
            predictions[-1]["is_latest"] = False
            predictions.append({**predictions[-1], "model_version": "bench-2", "is_latest": True})
        if len(chunk) == 50_000:
            flush()
    if chunk:
        flush()
    with write_transaction(engine) as conn:
        rollups.rebuild(conn)  # what the importer maintains row by row
    optimize(engine)  # what every import does at its end


def _timed(call: Callable[[], Any], repeats: int = 3) -> tuple[float, float, int]:
    """(first run seconds, median of `repeats` further runs, rows returned)."""
    started = time.perf_counter()
    result = call()
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    size = len(result) if hasattr(result, "__len__") else 1
    return first, statistics.median(times), size


def _overview(engine: Any) -> tuple[Any, Any]:
    """The Overview page at scale: the last 60 days of daily counts feed the KPI tiles (30 days
    against the 30 before) and the products needing attention."""
    from core import analytics
    from core.storage.queries import daily_counts, product_summary

    newest = product_summary(engine)["last_date"].max()
    recent = daily_counts(engine, start=(newest - timedelta(days=60)).date())
    return analytics.kpis(recent, days=30), analytics.products_needing_attention(recent, days=30)


def bench_queries(url: str, reviews: int, rebuild: bool) -> list[dict[str, Any]]:
    """Time every dashboard query on a store of `reviews` reviews (built once, reused)."""
    from core import analytics
    from core.storage.engine import count_rows, get_engine
    from core.storage.queries import (
        daily_counts,
        list_imports,
        model_versions_in_store,
        product_names,
        product_summary,
        rating_label_crosstab,
        reviews_frame,
        sentiment_over_time,
        store_health,
    )

    engine = get_engine(url)
    if rebuild or count_rows(engine)["reviews"] != reviews:
        started = time.perf_counter()
        build_store(url, reviews)
        print(f"built a store of {reviews:,} reviews in {time.perf_counter() - started:.0f} s", flush=True)
    one = "Product 07"
    product_frame = reviews_frame(engine, products=[one])
    queries: list[tuple[str, Callable[[], Any]]] = [
        ("store_health", lambda: store_health(engine)),
        ("product_names", lambda: product_names(engine)),
        ("product_summary (all products)", lambda: product_summary(engine)),
        ("model_versions_in_store", lambda: model_versions_in_store(engine)),
        ("list_imports", lambda: list_imports(engine)),
        ("reviews_frame (one product, all rows)", lambda: reviews_frame(engine, products=[one])),
        ("reviews_frame (newest 500, all products)", lambda: reviews_frame(engine, limit=500)),
        (
            "reviews_frame (one product, 3 months, negative, search)",
            lambda: reviews_frame(
                engine, [one], "2024-01-01", "2024-03-31", labels=["negative"], search="battery"
            ),
        ),
        ("reviews_frame (search, first 200)", lambda: reviews_frame(engine, search="overheat", limit=200)),
        ("sentiment_over_time (all products, weekly)", lambda: sentiment_over_time(engine, "W")),
        ("sentiment_over_time (one product, daily)", lambda: sentiment_over_time(engine, "D", [one])),
        ("rating_label_crosstab (one product)", lambda: rating_label_crosstab(engine, products=[one])),
        ("daily_counts (all products, every day)", lambda: daily_counts(engine)),
        ("overview: daily_counts (60 days) + kpis + attention", lambda: _overview(engine)),
        ("analytics.trend (one product frame)", lambda: analytics.trend(product_frame)),
        ("analytics.kpis (one product frame)", lambda: analytics.kpis(product_frame)),
        ("analytics.drivers (one product frame)", lambda: analytics.drivers(product_frame)),
    ]
    results = []
    for name, call in queries:
        first, median, size = _timed(call)
        results.append(
            {"query": name, "first_s": round(first, 3), "median_s": round(median, 3), "rows": size}
        )
        print(f"  {name:<58} first {first:6.3f} s   median {median:6.3f} s   rows {size:>9,}", flush=True)
    return results


def run(rows: int = 100_000, reviews: int = 1_000_000, rebuild: bool = False) -> dict[str, Any]:
    """Run both store benchmarks, print the figures, and return them (`python -m bench` calls this)."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"== import + score a {rows:,}-row CSV into SQLite (target < 30 s, peak < 1.5 GB)", flush=True)
    imported = bench_import(rows)
    shares = ", ".join(f"{name} {share:.0%}" for name, share in imported["shares"].items())
    print(
        f"  {imported['stored']:,} stored of {imported['rows_read']:,} rows in {imported['seconds']} s "
        f"({shares}); peak memory {imported['peak_rss_mb']} MB; model {imported['model_version']}",
        flush=True,
    )
    print(f"== dashboard queries over {reviews:,} stored reviews in SQLite (target < 1 s each)", flush=True)
    url = f"sqlite:///{OUT_DIR / f'queries_{reviews}.sqlite'}"
    queries = bench_queries(url, reviews, rebuild)
    slowest = max(queries, key=lambda q: q["median_s"])
    print(f"  slowest: {slowest['query']} ({slowest['median_s']} s median)", flush=True)
    return {"import": imported, "queries": queries}


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the import CSV")
    parser.add_argument("--reviews", type=int, default=1_000_000, help="reviews in the query store")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the query store even if it exists")
    parser.add_argument("--only", choices=["import", "queries"], help="run one of the two benchmarks")
    parser.add_argument(
        "--pg", metavar="URL", help="also time the queries on this (empty) PostgreSQL database"
    )
    parser.add_argument("--child-import", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_import:
        print(json.dumps(_import_child(Path(args.child_import[0]), Path(args.child_import[1]))))
        return 0
    if args.only == "import":
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        print(json.dumps(bench_import(args.rows), indent=2))
    elif args.only == "queries":
        bench_queries(f"sqlite:///{OUT_DIR / f'queries_{args.reviews}.sqlite'}", args.reviews, args.rebuild)
    else:
        run(args.rows, args.reviews, args.rebuild)
    if args.pg:
        print(f"== the same queries on PostgreSQL ({args.reviews:,} reviews)", flush=True)
        bench_queries(args.pg, args.reviews, rebuild=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
