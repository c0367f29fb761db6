"""Command line scoring: `python -m core.predict "text" ...` or `--csv FILE --text-column NAME --out OUT`.

Text mode (texts as arguments, or `-` to read one text per line from standard input, UTF-8) prints
one JSON object per line, in input order:
`{"text", "label", "scores": {"negative", "neutral", "positive"}, "confidence", "model_version"}`
(unscorable inputs get `"label": "unscorable"`, null scores and a `"reason"`).

CSV mode reads any common encoding and delimiter (`core.ingestion.tables.read_table`), scores one column and
writes OUT as `.jsonl` (one object per row: the input columns plus label, scores, confidence,
model_version) or `.csv` (input columns plus label, negative, neutral, positive, confidence,
model_version). Progress goes to stderr. A missing column, an unreadable file or an output path
that cannot be written (missing folder, the input file itself) exits with status 2 and a one-line
reason. OUT is written to a hidden `.OUT.<pid>.part` file next to it and renamed over OUT only when
every row is written, so an interrupted run leaves no half-written OUT and an older OUT stays intact.

Speed: importing torch takes about two seconds, so CSV mode first starts the featurising worker
processes (:class:`core.inference.pool.FeaturizePool`, numpy only) and hands them the column, then
imports torch and loads the model while they work; both cores stay busy from the start. The CSV
output is safe to open in a spreadsheet: text that would run as a formula gets a leading apostrophe
(:func:`core.spreadsheet.safe_cell`).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gc
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

EXIT_USAGE = 2
TEXT_CHUNK = 5000  # texts scored (and printed) per batch in text mode


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.predict", description="Score review sentiment.")
    parser.add_argument(
        "texts", nargs="*", help="texts to score (one JSON line each); - reads one text per line from stdin"
    )
    parser.add_argument("--csv", type=Path, help="a CSV or xlsx file to score")
    parser.add_argument("--text-column", help="the column holding the review text (with --csv)")
    parser.add_argument("--out", type=Path, help="output file, .jsonl or .csv (with --csv)")
    parser.add_argument("--model", help="model directory or registry version (default: the active model)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="featurising processes for --csv (default: one per core, at most 4; 1 = none)",
    )
    args = parser.parse_args(argv)
    if args.csv is None and not args.texts:
        parser.error("give texts to score, or --csv FILE --text-column NAME --out OUT")
    if args.csv is not None and (not args.text_column or args.out is None):
        parser.error("--csv needs --text-column and --out")
    if args.out is not None and args.out.suffix.lower() not in {".jsonl", ".csv"}:
        parser.error("--out must end in .jsonl or .csv")
    return args


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _score_texts(args: argparse.Namespace) -> int:
    from core.inference.predictor import get_predictor

    texts = args.texts
    if texts == ["-"]:
        try:  # bytes, not sys.stdin's locale-dependent text layer: UTF-8 or a clear refusal
            texts = sys.stdin.buffer.read().decode("utf-8-sig").splitlines()
        except UnicodeDecodeError:
            return _fail("standard input is not UTF-8 text; score other encodings with --csv FILE")
    try:
        predictor = get_predictor(args.model)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    for start in range(0, len(texts), TEXT_CHUNK):  # printed as they are scored, memory bounded
        for prediction in predictor.predict(texts[start : start + TEXT_CHUNK]):
            print(json.dumps(prediction.to_json(), ensure_ascii=False))
    _warn_if_foreign(texts, predictor.language)
    return 0


def _warn_if_foreign(texts: Sequence[Any], model_language: str) -> None:
    """A warning on stderr when many texts are in a language the model was not trained on."""
    from core.nlp.language import foreign_language_warning

    warning = foreign_language_warning((t for t in texts if isinstance(t, str)), model_language)
    if warning:
        print(f"warning: {warning}", file=sys.stderr)


def _read_column(path: Path, column: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the table, plus validation of `column`; raises ValueError with a one-line reason."""
    from core.ingestion.tables import IngestError, read_table

    if path.is_dir():
        raise ValueError(f"cannot read {path}: it is a folder, not a file")
    if not path.is_file():
        raise ValueError(f"cannot read {path}: no such file")
    try:
        table = read_table(path)
    except IngestError as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    header = [str(c) for c in table.frame.columns]
    if column not in header:
        close = [name for name in header if name.casefold() == column.casefold()]
        close = close or difflib.get_close_matches(column, header, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"column {column!r} not found in {path.name}{hint}; columns: {', '.join(header)}")
    return header, table.frame.to_numpy(dtype=object).tolist()


def _output_problem(source: Path, out: Path) -> str | None:
    """Why `out` cannot take the results, checked before any work; None if it can."""
    if out.is_dir():
        return f"cannot write {out}: it is a folder; give a file name ending in .jsonl or .csv"
    if not out.parent.is_dir():
        return f"cannot write {out}: the folder {out.parent} does not exist"
    if not os.access(out.parent, os.W_OK):
        return f"cannot write {out}: no permission to write in {out.parent}"
    if out.exists() and source.exists() and out.resolve() == source.resolve():
        return f"cannot write {out}: it is the input file; choose another --out so the input is kept"
    return None


@contextmanager
def _replace_when_done(out: Path) -> Iterator[Any]:
    """A text file that becomes `out` only if the block finishes; otherwise it is removed."""
    part = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        with part.open("x", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)


def _score_csv(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    problem = _output_problem(args.csv, args.out)
    if problem:
        return _fail(problem)
    from core.inference.pool import FeaturizeError, FeaturizePool
    from core.inference.predictor import FEATURES_FILE, LABELS, resolve_model_dir
    from core.nlp.features import FeatureConfig, Featurizer

    try:
        model_dir = resolve_model_dir(args.model)
        featurizer = Featurizer(FeatureConfig.load(model_dir / FEATURES_FILE))
    except (ValueError, FileNotFoundError, OSError) as exc:
        return _fail(str(exc))
    # the workers start up on the other core while this process reads the file
    with FeaturizePool(featurizer, workers=args.workers) as pool:
        try:
            header, rows = _read_column(args.csv, args.text_column)
        except (ValueError, OSError) as exc:
            return _fail(str(exc))
        col = header.index(args.text_column)
        texts = [r[col] for r in rows]
        n = len(texts)
        read_s = time.perf_counter() - started
        print(f"read {n:,} rows from {args.csv.name} in {read_s:.1f}s", file=sys.stderr)
        chunks = pool.encode(texts)  # before torch is imported, so both cores work from here on
        from core.inference.predictor import Predictor

        predictor = Predictor.load(model_dir)  # imports torch while the workers featurise
        # torch leaves a million objects behind; frozen, they are no longer walked by every full
        # garbage collection of the scoring loop nor freed one by one at exit (about 0.4 s)
        gc.freeze()
        version = predictor.version
        sink = _jsonl_sink if args.out.suffix.lower() == ".jsonl" else _csv_sink
        try:
            with _replace_when_done(args.out) as fh:
                scored = _score_chunks(chunks, texts, rows, predictor, sink(fh, header, version, LABELS))
        except OSError as exc:  # disk full, a broken pipe: the partial file is already removed
            return _fail(f"scoring stopped, {args.out} not written: {exc.strerror or exc}")
        except FeaturizeError as exc:  # a worker killed (out of memory?); its message says what to do
            return _fail(f"scoring stopped, {args.out} not written: {exc}")
    _warn_if_foreign(texts[:5000], featurizer.config.language)
    seconds = time.perf_counter() - started
    from core.logs import log_event

    log_event(
        "score_csv",
        rows=n,
        scored=scored,
        unscorable=n - scored,
        seconds=round(seconds, 2),
        read_s=round(read_s, 2),
        score_and_write_s=round(seconds - read_s, 2),
        model_version=version,
        out=str(args.out),
    )
    return 0


def _score_chunks(
    chunks: Iterable[Any], texts: list[Any], rows: list[list[Any]], predictor: Any, write: Any
) -> int:
    """Score each chunk as the workers hand it over and write it at once; returns the rows scored."""
    from core.inference.predictor import unscorable_reason

    scored = 0
    for chunk in _progress(chunks, len(texts)):
        probs = np.full((chunk.stop - chunk.start, 3), np.nan)
        if len(chunk.rows):  # NaN rows: nothing the model knows, unscorable rather than a guess
            probs[chunk.rows - chunk.start] = predictor.proba_from_encoded(chunk.encoded)[0]
        # a NaN row is an input the pool left out (unscorable_reason says why) or a text without a
        # single word the model knows
        missing = np.isnan(probs[:, 0]).tolist()
        reasons = [
            (unscorable_reason(text) or "no words to score") if empty else None
            for text, empty in zip(texts[chunk.start : chunk.stop], missing, strict=True)
        ]
        scored += sum(r is None for r in reasons)
        write(rows[chunk.start : chunk.stop], probs, reasons)
    return scored


def _progress(chunks: Iterable[Any], n: int) -> Iterator[Any]:
    for chunk in chunks:
        print(f"scored {chunk.stop:,}/{n:,}", file=sys.stderr, flush=True)
        yield chunk


def _jsonl_sink(fh: Any, header: list[str], version: str, labels: tuple[str, ...]) -> Any:
    """A writer of JSON lines: input columns, then label, scores, confidence, model_version (+ reason)."""
    from json.encoder import encode_basestring  # what json.dumps(str, ensure_ascii=False) uses

    keys = [encode_basestring(str(h)) for h in header]
    ver = encode_basestring(version)

    def cell(value: Any) -> str:
        if isinstance(value, str):
            return encode_basestring(value)
        return json.dumps(_jsonable(value), ensure_ascii=False)

    def write(rows: list[list[Any]], probs: np.ndarray, reasons: list[str | None]) -> None:
        if not rows:
            return
        # column by column: one pass per column instead of a generator per row (about 30 % faster)
        by_column = zip(*rows, strict=True)
        columns = [[f"{key}:{cell(v)}," for v in column] for key, column in zip(keys, by_column, strict=True)]
        heads = ["".join(parts) for parts in zip(*columns, strict=True)] if columns else [""] * len(rows)
        best = probs.argmax(axis=1).tolist()  # NaN rows are unscorable and never read
        lines = []
        for head, (neg, neu, pos), k, reason in zip(heads, probs.tolist(), best, reasons, strict=True):
            if reason is None:
                tail = (
                    f'"label":"{labels[k]}","scores":{{"negative":{neg:.6f},"neutral":{neu:.6f},'
                    f'"positive":{pos:.6f}}},"confidence":{(neg, neu, pos)[k]:.6f},"model_version":{ver}'
                )
            else:
                tail = (
                    f'"label":"unscorable","scores":null,"confidence":null,"model_version":{ver},'
                    f'"reason":"{reason}"'
                )
            lines.append("{" + head + tail + "}\n")
        fh.write("".join(lines))

    return write


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, float):
        return None if value != value else value
    return str(value)


def _csv_sink(fh: Any, header: list[str], version: str, labels: tuple[str, ...]) -> Any:
    """A CSV writer: input columns plus label, negative, neutral, positive, confidence, model_version.

    Input cells that a spreadsheet would run as a formula are defused (:func:`core.spreadsheet.safe_cell`).
    """
    from core.spreadsheet import safe_cell

    writer = csv.writer(fh)
    columns = [safe_cell(str(h)) for h in header]
    writer.writerow([*columns, "label", "negative", "neutral", "positive", "confidence", "model_version"])

    def write(rows: list[list[Any]], probs: np.ndarray, reasons: list[str | None]) -> None:
        for raw, p, reason in zip(rows, probs.tolist(), reasons, strict=True):
            row = [safe_cell(cell) for cell in raw]
            if reason is None:
                best = max(range(3), key=p.__getitem__)
                extra = [labels[best], f"{p[0]:.6f}", f"{p[1]:.6f}", f"{p[2]:.6f}", f"{p[best]:.6f}", version]
            else:
                extra = ["unscorable", "", "", "", "", version]
            writer.writerow([*row, *extra])

    return write


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = _parse_args(argv)
    return _score_csv(args) if args.csv is not None else _score_texts(args)


if __name__ == "__main__":
    raise SystemExit(main())
