"""`python -m core.predict` warns when text is in a language the active model was not trained on."""

import subprocess

from tests.core.cli.test_predict import run_cli


def _predict(*texts: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(*texts)
    assert result.returncode == 0, result.stderr
    return result


def test_spanish_text_scored_by_the_english_base_model_gets_a_warning():
    result = _predict("No me gusta nada, es el peor teléfono que he tenido", "Battery died, not worth it")
    assert len(result.stdout.splitlines()) == 2, "the warning never replaces a prediction"
    assert "warning: 50% of these texts look Spanish" in result.stderr


def test_english_text_gets_no_warning():
    result = _predict("The battery died after two days and it is not worth the money")
    assert "warning:" not in result.stderr
