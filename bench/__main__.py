"""`python -m bench` (= `make bench`): throughput vs VADER, model load time, peak memory, accuracy table.

Prints markdown tables; figures are measured on the machine it runs on, nothing is asserted.
Options: `--skip-accuracy`, `--skip-throughput`, `--only short|mixed`.
"""

from __future__ import annotations

import argparse
import json

from bench import inputs, throughput


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--only", choices=("short", "mixed"), default=None)
    args = parser.parse_args(argv)
    if not args.skip_throughput:
        kinds = [args.only] if args.only else ["short", "mixed"]
        print(
            "| input | rows | median / mean / p95 words | ours s | ours rows/s | ours peak MB "
            "| VADER s | VADER rows/s | speed-up |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for kind in kinds:
            path, stats = inputs.build(kind)
            r = throughput.compare(path, inputs.OUT_DIR)
            print(
                f"| {kind} | {r['rows']:,} | {stats['median_words']:.0f} / {stats['mean_words']:.0f} / "
                f"{stats['p95_words']:.0f} | {r['ours_s']} | {r['ours_rows_per_s']:,} | "
                f"{r['ours_peak_mb']} | "
                f"{r['vader_s']} | {r['vader_rows_per_s']:,} | {r['speedup']}x |",
                flush=True,
            )
        load = throughput.model_load_time()
        print(
            f"\nimport torch: {load['import_torch_s']} s; model load (after import): {load['model_load_s']} s"
        )
    if not args.skip_accuracy:
        from bench.accuracy import table
        from core.inference.predictor import get_predictor

        card = get_predictor().card
        frame = table(card)
        print(
            "\n| set | model | n | macro-F1 | pos/neg acc (binary) | pos/neg acc (strict) |"
            "\n|---|---|---|---|---|---|"
        )
        for row in frame.itertuples():
            print(
                f"| {row.set} | {row.model} | {row.n} | {row.macro_f1} | {row.posneg_binary} | "
                f"{row.posneg_strict} |"
            )
        print("\n" + json.dumps({"model_version": card["version"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
