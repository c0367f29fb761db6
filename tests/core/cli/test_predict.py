"""`python -m core.predict`: the JSON contract, CSV scoring, and clear failures."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.settings import REPO_ROOT


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.predict", *args],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_texts_print_one_json_object_each() -> None:
    proc = run_cli("The battery died after two days, not worth it", "Love it!")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert list(first) == ["text", "label", "scores", "confidence", "model_version", "sentences"]
    assert first["label"] == "negative"
    (sentence,) = first["sentences"]  # one sentence: the whole text, with its own verdict
    assert (sentence["start"], sentence["end"]) == (0, len(first["text"]))
    assert list(sentence) == ["start", "end", "text", "label", "scores"]
    assert set(first["scores"]) == {"negative", "neutral", "positive"}
    assert abs(sum(first["scores"].values()) - 1) < 1e-4
    assert json.loads(lines[1])["label"] == "positive"


def test_dash_reads_one_text_per_line_from_stdin() -> None:
    proc = run_cli("-", stdin="Absolutely love it, works great\n\nWaste of money \U0001f44e\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["Absolutely love it, works great", "", "Waste of money \U0001f44e"]
    assert [r["label"] for r in rows] == ["positive", "unscorable", "negative"]  # order and blanks kept


def test_stdin_that_is_not_utf8_is_refused_in_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "core.predict", "-"],
        cwd=REPO_ROOT,
        input="Caf\u00e9 horrible".encode("latin-1"),
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == b""
    assert b"not UTF-8" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_csv_to_jsonl_and_csv(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    src.write_text("id;review\n1;great phone\n2;awful, it broke\n3;\n4;...\n", encoding="latin-1")
    out = tmp_path / "out.jsonl"
    proc = run_cli("--csv", str(src), "--text-column", "review", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[2]["label"] == "unscorable" and rows[2]["reason"] == "empty text"
    assert rows[3]["label"] == "unscorable" and rows[3]["reason"] == "no words to score"
    assert rows[1]["label"] == "negative"
    out_csv = tmp_path / "out.csv"
    assert run_cli("--csv", str(src), "--text-column", "review", "--out", str(out_csv)).returncode == 0
    with out_csv.open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == [
        "id",
        "review",
        "label",
        "negative",
        "neutral",
        "positive",
        "confidence",
        "model_version",
    ]


def test_missing_column_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    src.write_text("id,body\n1,great\n", encoding="utf-8")
    proc = run_cli("--csv", str(src), "--text-column", "review", "--out", str(tmp_path / "o.jsonl"))
    assert proc.returncode != 0
    assert "review" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_missing_column_suggests_the_near_miss(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    src.write_text("id,Review,stars\n1,great,5\n", encoding="utf-8")
    proc = run_cli("--csv", str(src), "--text-column", "review", "--out", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2
    assert "did you mean 'Review'?" in proc.stderr and "columns: id, Review, stars" in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_unreadable_file_exits_non_zero(tmp_path: Path) -> None:
    proc = run_cli(
        "--csv", str(tmp_path / "missing.csv"), "--text-column", "review", "--out", str(tmp_path / "o.csv")
    )
    assert proc.returncode != 0
    assert proc.stderr.strip()


def test_unwritable_output_is_refused_before_any_work(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    original = "id,review\n1,great phone\n"
    src.write_text(original, encoding="utf-8")
    cases = {
        str(tmp_path / "no_such_folder" / "o.csv"): "does not exist",
        str(src): "it is the input file",
        str(tmp_path / "." / "reviews.csv"): "it is the input file",  # same file, other spelling
    }
    (tmp_path / "folder.csv").mkdir()
    cases[str(tmp_path / "folder.csv")] = "it is a folder"
    for out, reason in cases.items():
        proc = run_cli("--csv", str(src), "--text-column", "review", "--out", out)
        assert proc.returncode == 2, (out, proc.stderr)
        assert reason in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert src.read_text(encoding="utf-8") == original


def test_a_folder_given_as_input_is_named_as_such(tmp_path: Path) -> None:
    proc = run_cli("--csv", str(tmp_path), "--text-column", "review", "--out", str(tmp_path / "o.csv"))
    assert proc.returncode == 2 and "is a folder, not a file" in proc.stderr


def test_output_appears_only_when_complete(tmp_path: Path) -> None:
    from core.cli.predict import _replace_when_done

    out = tmp_path / "scores.csv"
    out.write_text("an earlier run\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), _replace_when_done(out) as fh:
        fh.write("half a row")
        raise KeyboardInterrupt  # the analyst pressed Ctrl+C mid-way
    assert out.read_text(encoding="utf-8") == "an earlier run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]  # no .part file left behind
    with _replace_when_done(out) as fh:
        fh.write("label\n")
    assert out.read_text(encoding="utf-8") == "label\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scores.csv"]


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker through Linux /proc")
def test_a_killed_worker_ends_the_run_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["review"])
        writer.writerows([f"review {i}: the screen is great but the battery is not"] for i in range(30_000))
    out = tmp_path / "scores.csv"
    cmd = [sys.executable, "-m", "core.predict", "--csv", str(src), "--text-column", "review"]
    cmd += ["--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + 30
    while not (workers := _children(proc.pid)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    assert workers, "no featurising worker was started"
    os.kill(workers[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2, stderr
    assert "Traceback" not in stderr
    error = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(error) == 1 and "not written" in error[0] and "stopped unexpectedly" in error[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reviews.csv"]  # no output, no .part file


def test_csv_output_defuses_spreadsheet_formulas(tmp_path: Path) -> None:
    src = tmp_path / "reviews.csv"
    formula = '"=HYPERLINK(""http://x.example"",""click"") great phone"'
    src.write_text(f"review,=note\n{formula},-5\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert run_cli("--csv", str(src), "--text-column", "review", "--out", str(out)).returncode == 0
    with out.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header, row = next(reader), next(reader)
    assert header[:2] == ["review", "'=note"]
    assert row[0].startswith("'=HYPERLINK(") and row[1] == "-5"  # a number stays a number
    assert row[2] in {"negative", "neutral", "positive"}


def test_featurising_workers_give_the_same_file_as_one_process(tmp_path: Path) -> None:
    # 6,000 rows: above the size from which worker processes featurise (core.inference.pool)
    words = ["great", "awful", "not", "battery", "screen", "love", "broke", "fine", "", "!"]
    src = tmp_path / "many.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "review"])
        for i in range(6000):
            writer.writerow([i, " ".join(words[(i * k) % len(words)] for k in range(1, 2 + i % 7))])
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        proc = run_cli("--csv", str(src), "--text-column", "review", "--out", str(out), "--workers", workers)
        assert proc.returncode == 0, proc.stderr
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 6000


def test_csv_rows_carry_the_same_scores_as_text_mode(tmp_path: Path) -> None:
    texts = ["The battery died after two days, not worth it", "Love it!", "It arrived."]
    src = tmp_path / "reviews.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["stars", "review", "note"])
        for i, text in enumerate(texts):
            writer.writerow([i + 1, text, "" if i else 'said "hi"'])
    out = tmp_path / "out.jsonl"
    assert run_cli("--csv", str(src), "--text-column", "review", "--out", str(out)).returncode == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [json.loads(line) for line in run_cli(*texts).stdout.splitlines()]
    assert [r["review"] for r in rows] == texts
    assert [r["note"] for r in rows] == ['said "hi"', "", ""]
    for row, want in zip(rows, expected, strict=True):
        assert row["label"] == want["label"]
        assert row["scores"] == {k: round(v, 6) for k, v in want["scores"].items()}
        assert row["confidence"] == round(want["confidence"], 6) == max(row["scores"].values())
        assert row["model_version"] == want["model_version"]
