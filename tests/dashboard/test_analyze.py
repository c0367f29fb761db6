"""Analyze text: labels, probabilities and explanations, safe rendering, and the downloads."""

from __future__ import annotations

import json
import re

from dashboard.state import Keys
from dashboard.views.analyze import EXAMPLES, results_frame
from tests.dashboard.apptest import open_page, shown, texts

HOSTILE = "<script>alert('x')</script> **markdown** [link](javascript:alert(1)) terrible awful broken"
WITH_LINKS = "Terrible, see https://evil.example/login and www.evil.example or mail help@evil.example now"
# What Streamlit's GFM renderer (mdast-util-gfm-autolink-literal) turns into links, run on the text
# left once escapes are resolved: bare http(s) URLs, `www.` hosts and e-mail addresses.
AUTOLINK_RES = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE | re.ASCII),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII),
)


def analyze(*lines: str):
    at = open_page("analyze")
    at.text_area(key=Keys.ANALYZE_INPUT).input("\n".join(lines)).run()
    at.button(key="analyze").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_one_review_gets_label_probabilities_and_why(store, predictor) -> None:
    text = "Absolutely love it, the sound is fantastic and battery lasts forever"
    at = analyze(text)
    expected = predictor.predict([text])[0]
    assert expected.label == "positive"
    assert at.expander[0].label.startswith("Positive · ")
    assert at.get("badge") or any("Positive" in str(m.value) for m in at.markdown)
    assert len(at.get("plotly_chart")) == 1  # the probability bar
    confidence = next(m for m in at.metric if m.label == "Confidence")
    assert confidence.value == f"{expected.confidence:.0%}"
    # the word table explains the decision with at least one positive push
    words = at.dataframe[-1].value
    assert (words["weight"] > 0).any()
    assert set(words["direction"]) <= {"Positive", "Negative"}


def test_hostile_text_is_shown_literally(store, predictor) -> None:
    at = analyze(HOSTILE)
    bodies = texts(at.markdown)
    highlighted = [b for b in bodies if "script" in b]
    assert highlighted, bodies
    body = highlighted[0]
    # remove our colour directives: what is left must be fully escaped and read back as the input
    plain = re.sub(r":(?:red|green)(?:-background)?\[((?:\\.|[^\]\\])*)\]", r"\1", body)
    assert not re.search(r"(?<!\\)[*\[\]<>()`_#!:]", plain), plain
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", plain) == HOSTILE
    assert ":red" in body  # "terrible awful broken" pushed toward negative


def test_urls_in_pasted_text_never_become_links(store, predictor) -> None:
    at = analyze(WITH_LINKS, "plain www.example.org line, also HTTPS://EXAMPLE.ORG/x")
    rendered = [m for m in texts(at.markdown) if "evil" in m or "example" in m]
    rendered += [e.label for e in at.expander]
    assert len(rendered) == 4, rendered  # two highlighted bodies (or plain), two expander labels
    for markdown in rendered:
        text = shown(markdown)
        for pattern in AUTOLINK_RES:
            assert not pattern.search(text), (pattern.pattern, text)
    body = next(m for m in texts(at.markdown) if "evil" in m)
    assert ":red" in body  # the word highlighting is kept
    plain = re.sub(r":(?:red|green)(?:-background)?\[((?:\\.|[^\]\\])*)\]", r"\1", body)
    # invisible joiners aside, the page shows exactly what was pasted
    assert shown(plain).replace("\u2060", "") == WITH_LINKS


def test_many_lines_json_matches_the_cli_objects(store, predictor) -> None:
    lines = ["Great value, works perfectly", "Broke after one day, awful", "It is a phone case"]
    at = analyze(*lines)
    results = at.session_state[Keys.ANALYZE_RESULTS]
    expected = [p.to_json() for p in predictor.predict(lines)]
    assert [r["prediction"] for r in results] == expected
    json.dumps([r["prediction"] for r in results])  # serialisable as downloaded
    summary = at.dataframe[0].value
    assert list(summary["text"]) == lines
    assert (summary[["negative", "neutral", "positive"]].sum(axis=1) - 1).abs().max() < 1e-4
    assert len(at.expander) == 3
    frame = results_frame(results)
    assert list(frame["label"]) == [e["label"] for e in expected]


def test_empty_input_warns(store) -> None:
    at = analyze("   ")
    assert "at least one review" in at.warning[0].value
    assert not at.expander


def test_examples_button_fills_the_box(store) -> None:
    at = open_page("analyze")
    at.button(key="examples").click().run()
    assert at.text_area(key=Keys.ANALYZE_INPUT).value.splitlines() == [text for text, _ in EXAMPLES]
    assert "sarcasm" in " ".join(texts(at.caption))


def test_every_example_gets_its_intended_label_from_the_shipped_model() -> None:
    """The examples show the model at its honest best; when a retrained model misreads one, this
    fails and names it, so the example is replaced (or the weak spot named in the caption)."""
    from core.inference.predictor import get_predictor, resolve_model_dir

    shipped = get_predictor(str(resolve_model_dir("base")))
    predicted = [p.label for p in shipped.predict([text for text, _ in EXAMPLES])]
    wrong = [(text, want, got) for (text, want), got in zip(EXAMPLES, predicted, strict=True) if want != got]
    assert not wrong, f"examples the shipped model now misreads (text, intended, predicted): {wrong}"
    assert {want for _, want in EXAMPLES} == {"negative", "neutral", "positive"}


def test_missing_model_is_a_readable_error(store, tmp_path, monkeypatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("SENTIMENT_MODEL_DIR", str(tmp_path / "no-model"))
    monkeypatch.setenv("SENTIMENT_REGISTRY_DIR", str(tmp_path / "no-registry"))
    get_settings.cache_clear()
    at = analyze("Great product")
    assert "The model could not be loaded" in at.error[0].value
    assert not at.expander


def test_text_in_another_language_gets_the_note_not_a_silent_label(store) -> None:
    spanish = "La licuadora es muy buena pero la jarra se rompió al segundo día de uso."
    at = analyze(spanish, "The blender is great but the jar cracked on the second day.")
    note = "Spanish: the active model reads English; adapt it on rated Spanish reviews"
    assert f"{note}. The label below is unreliable." in texts(at.warning)
    assert "(Spanish?)" in at.expander[0].label and "(Spanish?)" not in at.expander[1].label
    table = at.dataframe[0].value
    assert table["note"].tolist() == [note, ""]
