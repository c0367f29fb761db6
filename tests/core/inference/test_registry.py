"""The model registry: versions, the active setting, activation gate, rollback."""

import json
from pathlib import Path

import pytest

from core.inference import registry
from core.settings import Settings


def _model_dir(path: Path, version: str, gate_passed: bool | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "sentiment.pt").write_bytes(b"model bytes are not read by the registry")
    (path / "features.json").write_text("{}")
    card = {"version": version}
    if gate_passed is not None:
        card["gate"] = {"passed": gate_passed, "verdict": "macro-F1 0.51 vs base 0.55"}
    (path / "model_card.json").write_text(json.dumps(card))
    return path


@pytest.fixture
def settings(tmp_path):
    base = _model_dir(tmp_path / "base_model", "base-1.0")
    return Settings(data_dir=tmp_path, model_dir=base, registry_dir=tmp_path / "registry")


def test_base_is_active_until_something_else_is(settings):
    assert registry.active_name(settings) == "base"
    assert registry.resolve_model_dir(None, settings) == settings.model_dir
    versions = registry.list_versions(settings)
    assert [(v.name, v.active, v.model_version) for v in versions] == [("base", True, "base-1.0")]


def test_activate_rollback_and_resolve(settings):
    good = _model_dir(registry.new_version_dir(settings), "adapted-good", gate_passed=True)
    registry.activate(good.name, settings)
    assert registry.active_name(settings) == good.name
    assert registry.resolve_model_dir(None, settings) == good
    assert registry.resolve_model_dir("base", settings) == settings.model_dir
    assert registry.resolve_model_dir(str(good), settings) == good
    assert [v.active for v in registry.list_versions(settings)] == [False, True]
    registry.rollback(settings)
    assert registry.active_name(settings) == "base"
    assert good.is_dir(), "rollback keeps adapted versions"


def test_activation_refuses_a_version_that_failed_the_gate(settings):
    worse = _model_dir(registry.new_version_dir(settings), "adapted-worse", gate_passed=False)
    with pytest.raises(registry.RegistryError, match="did not beat the base model"):
        registry.activate(worse.name, settings)
    assert registry.active_name(settings) == "base"


def test_unknown_versions_and_vanished_active_versions(settings, tmp_path):
    with pytest.raises(registry.RegistryError, match="No model 'nope'"):
        registry.resolve_model_dir("nope", settings)
    with pytest.raises(registry.RegistryError, match="no such version"):
        registry.activate("nope", settings)
    settings.registry_dir.mkdir(exist_ok=True)
    (settings.registry_dir / registry.ACTIVE_FILE).write_text(json.dumps({"version": "deleted-by-hand"}))
    assert registry.active_name(settings) == "base"


def test_new_version_dirs_are_unique(settings):
    first = registry.new_version_dir(settings)
    second = registry.new_version_dir(settings)
    assert first != second and first.is_dir() and second.is_dir()


def test_activations_and_rollbacks_are_kept_in_order(settings):
    assert registry.activation_history(settings) == []
    assert registry.active_since(settings) is None
    registry.rollback(settings)  # nothing to roll back from: no history line
    assert registry.activation_history(settings) == []
    good = _model_dir(registry.new_version_dir(settings), "adapted-good", gate_passed=True)
    registry.activate(good.name, settings)
    registry.rollback(settings)
    history = registry.activation_history(settings)
    assert [(a.name, a.model_version) for a in history] == [(good.name, "adapted-good"), ("base", "base-1.0")]
    assert history[0].activated_at <= history[1].activated_at
    assert registry.active_since(settings) == history[1].activated_at
    with (settings.registry_dir / registry.HISTORY_FILE).open("a") as handle:
        handle.write("not json\n")
    assert len(registry.activation_history(settings)) == 2, "a damaged line is skipped, not fatal"
