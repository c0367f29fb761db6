"""The VADER side of the throughput benchmark: `python -m bench.vader_csv IN.csv COLUMN OUT.jsonl`.

Same job as `python -m core.predict --csv`: read the CSV, score one column, write one JSON line per row.
"""

from __future__ import annotations

import csv
import json
import sys


def main(argv: list[str]) -> int:
    """Score `argv[1]`'s column `argv[2]` with VADER into `argv[3]`."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    src, column, out = argv[1], argv[2], argv[3]
    analyzer = SentimentIntensityAnalyzer()
    with open(src, newline="", encoding="utf-8") as fh, open(out, "w", encoding="utf-8") as dst:
        reader = csv.DictReader(fh)
        for row in reader:
            scores = analyzer.polarity_scores(row[column])
            c = scores["compound"]
            label = "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
            dst.write(json.dumps({**row, "label": label, "scores": scores}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
