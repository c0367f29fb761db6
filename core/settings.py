"""Every setting of the product, read in one place from the environment and an optional `.env`.

Defaults work with no configuration at all; `.env.example` documents each variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO_ROOT / "models" / "base"


def _env(name: str, default: str, dotenv: dict[str, str | None]) -> str:
    """Environment first, then `.env`, then the default."""
    value = os.environ.get(name)
    if value is None:
        value = dotenv.get(name)
    return default if value is None or value == "" else value


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """The product's configuration; build it with :func:`get_settings`."""

    data_dir: Path = field(default_factory=lambda: REPO_ROOT / "data")
    db_url: str = ""  # empty means the SQLite file under data_dir
    model_dir: Path = MODELS_DIR  # the shipped base model (sentiment.pt + features.json + model_card.json)
    registry_dir: Path = field(default_factory=lambda: REPO_ROOT / "data" / "model_registry")
    max_upload_mb: int = 200  # MiB (2**20 bytes), as Streamlit's server.maxUploadSize counts them
    db_busy_timeout_s: int = 60  # how long an import waits for another one's SQLite write lock
    max_rows: int = 1_000_000
    scrape_max_pages: int = 20
    scrape_max_items: int = 2_000
    scrape_allow_private: bool = False
    scrape_timeout_s: int = 20
    scrape_delay_s: float = 0.5  # politeness: seconds between requests to one site (AutoThrottle may add)
    log_level: str = "INFO"
    user: str = ""  # who imports are recorded under; empty means the OS user

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes: `max_upload_mb` MiB, the one size rule of the CLI and the app."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL; SQLite under `data_dir` unless `SENTIMENT_DB_URL` is set."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.data_dir / 'reviews.sqlite'}"


def load_settings(env_file: Path | None = None) -> Settings:
    """Read settings from the process environment and `env_file` (default: `.env` in the repo root)."""
    env_path = env_file if env_file is not None else REPO_ROOT / ".env"
    dotenv = dotenv_values(env_path) if env_path.is_file() else {}
    data_dir = Path(_env("SENTIMENT_DATA_DIR", str(REPO_ROOT / "data"), dotenv))
    return Settings(
        data_dir=data_dir,
        db_url=_env("SENTIMENT_DB_URL", "", dotenv),
        model_dir=Path(_env("SENTIMENT_MODEL_DIR", str(MODELS_DIR), dotenv)),
        registry_dir=Path(_env("SENTIMENT_REGISTRY_DIR", str(data_dir / "model_registry"), dotenv)),
        max_upload_mb=int(_env("SENTIMENT_MAX_UPLOAD_MB", "200", dotenv)),
        max_rows=int(_env("SENTIMENT_MAX_ROWS", "1000000", dotenv)),
        db_busy_timeout_s=int(_env("SENTIMENT_DB_BUSY_TIMEOUT_S", "60", dotenv)),
        scrape_max_pages=int(_env("SENTIMENT_SCRAPE_MAX_PAGES", "20", dotenv)),
        scrape_max_items=int(_env("SENTIMENT_SCRAPE_MAX_ITEMS", "2000", dotenv)),
        scrape_allow_private=_bool(_env("SENTIMENT_SCRAPE_ALLOW_PRIVATE", "false", dotenv)),
        scrape_timeout_s=int(_env("SENTIMENT_SCRAPE_TIMEOUT_S", "20", dotenv)),
        scrape_delay_s=float(_env("SENTIMENT_SCRAPE_DELAY_S", "0.5", dotenv)),
        log_level=_env("SENTIMENT_LOG_LEVEL", "INFO", dotenv).upper(),
        user=_env("SENTIMENT_USER", "", dotenv),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests call `get_settings.cache_clear()` after changing env."""
    return load_settings()
