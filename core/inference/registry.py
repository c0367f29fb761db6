"""The model registry: the shipped base model plus adapted versions, and which one is active.

Layout under `settings.registry_dir` (git-ignored, configurable with `SENTIMENT_REGISTRY_DIR`)::

    model_registry/
        ACTIVE.json                      {"version": "adapted-20261128-061500", "activated_at": ...}
        ACTIVATIONS.jsonl                one line per activation or rollback, oldest first
        adapted-20261128-061500/
            sentiment.pt  features.json  model_card.json

The active version is a stored setting (`ACTIVE.json`) next to the files it names, so a replica
never points at a version it does not have. No `ACTIVE.json` means the base model is active.
`ACTIVATIONS.jsonl` is the append-only history of those changes: every stored share is recomputed
by the active model, so the dashboard marks each change on its trend charts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.jobs import write_json_atomic
from core.settings import Settings, get_settings

BASE = "base"
ACTIVE_FILE = "ACTIVE.json"
HISTORY_FILE = "ACTIVATIONS.jsonl"
MODEL_FILES = ("sentiment.pt", "features.json", "model_card.json")


class RegistryError(Exception):
    """A model version cannot be found, read or activated; the message says which and why."""


@dataclass(frozen=True)
class ModelVersion:
    """One model the product can score with."""

    name: str  # "base" or the version directory name
    path: Path
    card: dict
    active: bool

    @property
    def model_version(self) -> str:
        """The version string stored with predictions (from the model card)."""
        return str(self.card.get("version", self.name))


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def read_card(model_dir: Path) -> dict:
    """The model card JSON of a model directory."""
    try:
        return json.loads((model_dir / "model_card.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"{model_dir} is not a model directory: model_card.json is missing") from exc
    except json.JSONDecodeError as exc:
        raise RegistryError(f"{model_dir / 'model_card.json'} is not valid JSON: {exc}") from exc


def is_model_dir(path: Path) -> bool:
    """True when `path` holds every file a model needs."""
    return path.is_dir() and all((path / name).is_file() for name in MODEL_FILES)


def active_name(settings: Settings | None = None) -> str:
    """The active version's name, `"base"` when no adapted version is active."""
    active_path = _settings(settings).registry_dir / ACTIVE_FILE
    if not active_path.is_file():
        return BASE
    try:
        name = json.loads(active_path.read_text(encoding="utf-8"))["version"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return BASE
    return name if is_model_dir(_settings(settings).registry_dir / name) else BASE


def resolve_model_dir(model: str | Path | None = None, settings: Settings | None = None) -> Path:
    """Where the model named by `model` lives.

    `None` is the active version; `"base"` the shipped model; a registry version name; or a
    path to any model directory.
    """
    settings = _settings(settings)
    if model is None:
        model = active_name(settings)
    if str(model) == BASE:
        return settings.model_dir
    candidate = Path(model)
    if is_model_dir(candidate):
        return candidate
    in_registry = settings.registry_dir / str(model)
    if is_model_dir(in_registry):
        return in_registry
    known = ", ".join(v.name for v in list_versions(settings))
    raise RegistryError(f"No model {str(model)!r}: give a model directory or one of: {known}")


def list_versions(settings: Settings | None = None) -> list[ModelVersion]:
    """The base model first, then adapted versions, newest first."""
    settings = _settings(settings)
    active = active_name(settings)
    versions = [ModelVersion(BASE, settings.model_dir, read_card(settings.model_dir), active == BASE)]
    if settings.registry_dir.is_dir():
        adapted = sorted(
            (p for p in settings.registry_dir.iterdir() if is_model_dir(p)),
            key=lambda p: p.name,
            reverse=True,
        )
        versions += [ModelVersion(p.name, p, read_card(p), active == p.name) for p in adapted]
    return versions


def new_version_dir(settings: Settings | None = None, now: datetime | None = None) -> Path:
    """A fresh, empty, uniquely named version directory in the registry."""
    settings = _settings(settings)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    settings.registry_dir.mkdir(parents=True, exist_ok=True)
    path = settings.registry_dir / f"adapted-{stamp}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = settings.registry_dir / f"adapted-{stamp}-{suffix}"
    path.mkdir()
    return path


@dataclass(frozen=True)
class Activation:
    """One change of the active model: which version became active, and when (UTC)."""

    name: str  # "base" or the version directory name
    model_version: str  # the version string stored with predictions
    activated_at: datetime


def _record_activation(name: str, model_version: str, settings: Settings) -> datetime:
    """Append one line to the activation history; returns the time recorded."""
    now = datetime.now(UTC).replace(microsecond=0)
    settings.registry_dir.mkdir(parents=True, exist_ok=True)
    line = {"version": name, "model_version": model_version, "activated_at": now.isoformat()}
    with (settings.registry_dir / HISTORY_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")
    return now


def activation_history(settings: Settings | None = None) -> list[Activation]:
    """Every recorded activation and rollback, oldest first (unreadable lines are skipped)."""
    path = _settings(settings).registry_dir / HISTORY_FILE
    if not path.is_file():
        return []
    history = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            when = datetime.fromisoformat(record["activated_at"])
            history.append(Activation(str(record["version"]), str(record["model_version"]), when))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
    return sorted(history, key=lambda a: a.activated_at)


def active_since(settings: Settings | None = None) -> datetime | None:
    """When the active version became active; None for the shipped model never switched away from."""
    settings = _settings(settings)
    name = active_name(settings)
    matching = [a for a in activation_history(settings) if a.name == name]
    if matching:
        return matching[-1].activated_at
    active_path = settings.registry_dir / ACTIVE_FILE
    if name != BASE and active_path.is_file():  # activated before the history was kept
        try:
            return datetime.fromisoformat(json.loads(active_path.read_text(encoding="utf-8"))["activated_at"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
    return None


def _write_active(name: str, model_version: str, settings: Settings) -> None:
    """Replace ACTIVE.json atomically, so a reader never sees half a file; then log the change."""
    settings.registry_dir.mkdir(parents=True, exist_ok=True)
    record = {"version": name, "activated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write_json_atomic(settings.registry_dir / ACTIVE_FILE, record)
    _record_activation(name, model_version, settings)


def activate(name: str, settings: Settings | None = None) -> ModelVersion:
    """Make a registry version active. The adaptation gate decides *whether*; this only records it."""
    settings = _settings(settings)
    if name == BASE:
        return rollback(settings)
    path = settings.registry_dir / name
    if not is_model_dir(path):
        raise RegistryError(f"Cannot activate {name!r}: no such version in {settings.registry_dir}")
    card = read_card(path)
    if not card.get("gate", {}).get("passed", False):
        raise RegistryError(
            f"Cannot activate {name!r}: it did not beat the base model on its held-out reviews "
            f"({card.get('gate', {}).get('verdict', 'no gate result in its card')})"
        )
    version = ModelVersion(name, path, card, True)
    _write_active(name, version.model_version, settings)
    return version


def rollback(settings: Settings | None = None) -> ModelVersion:
    """Make the shipped base model active again; adapted versions stay in the registry."""
    settings = _settings(settings)
    was_adapted = active_name(settings) != BASE
    (settings.registry_dir / ACTIVE_FILE).unlink(missing_ok=True)
    version = ModelVersion(BASE, settings.model_dir, read_card(settings.model_dir), True)
    if was_adapted:
        _record_activation(BASE, version.model_version, settings)
    return version
