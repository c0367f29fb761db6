"""End-to-end throughput: our CLI vs VADER, each as a subprocess scoring the same 100k-row CSV.

Wall time includes interpreter start-up, imports, model load, reading and writing. Peak memory is
the largest sum of PSS (proportional set size) over the subprocess and its children (our CLI forks
featurisation workers that share the parent's pages), sampled every 20 ms with psutil.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent


def run_measured(cmd: list[str]) -> dict[str, float]:
    """Run `cmd` to completion; return wall seconds and peak RSS (MB) of its process tree."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            rss = sum(_pss(p) for p in procs)
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr[-500:]}")
    return {"seconds": round(seconds, 2), "peak_mb": round(peak / 1e6, 1)}


def _pss(proc: psutil.Process) -> int:
    """Proportional set size (shared pages split between the processes sharing them), RSS if unavailable.

    Forked workers share the parent's pages; summing RSS would count them once per process.
    """
    try:
        return int(proc.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(proc.memory_info().rss)


def model_load_time(model_dir: Path | None = None) -> dict[str, float]:
    """Seconds to `import torch` and then to load the model (`Predictor.load`), in a fresh interpreter."""
    target = repr(str(model_dir)) if model_dir else "None"
    code = (
        "import time; t0=time.perf_counter(); import torch; t1=time.perf_counter();"
        "from core.inference.predictor import Predictor, resolve_model_dir;"
        f"p=Predictor.load(resolve_model_dir({target})); t2=time.perf_counter();"
        "print(round(t1-t0,3), round(t2-t1,3))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    torch_s, load_s = (float(x) for x in out.stdout.split())
    return {"import_torch_s": torch_s, "model_load_s": load_s}


def compare(csv_path: Path, out_dir: Path) -> dict[str, float]:
    """Ours vs VADER on one CSV: seconds, reviews/s, peak MB, and the speed ratio."""
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1  # reviews may contain newlines: count records, not lines
    ours = run_measured(
        [
            sys.executable,
            "-m",
            "core.predict",
            "--csv",
            str(csv_path),
            "--text-column",
            "review",
            "--out",
            str(out_dir / f"{csv_path.stem}.ours.jsonl"),
        ]
    )
    vader = run_measured(
        [
            sys.executable,
            "-m",
            "bench.vader_csv",
            str(csv_path),
            "review",
            str(out_dir / f"{csv_path.stem}.vader.jsonl"),
        ]
    )
    return {
        "rows": rows,
        "ours_s": ours["seconds"],
        "ours_rows_per_s": round(rows / ours["seconds"]),
        "ours_peak_mb": ours["peak_mb"],
        "vader_s": vader["seconds"],
        "vader_rows_per_s": round(rows / vader["seconds"]),
        "vader_peak_mb": vader["peak_mb"],
        "speedup": round(vader["seconds"] / ours["seconds"], 2),
    }
