"""Aspect extraction: catalogue grouping, terms and their merging, negation, Spanish, keyness."""

from __future__ import annotations

from core.nlp.aspect_catalogue import CatalogueAspect
from core.nlp.aspects import AspectExtractor, default_extractor, term_keyness


def found(text: str, language: str | None = None) -> dict[str, tuple[str, bool]]:
    """aspect key -> (words as written, negated) for each mention of `text`."""
    return {m.aspect: (m.term, m.negated) for m in default_extractor().mentions(text, language)}


def test_catalogue_groups_synonyms() -> None:
    for text in ("Shipping was quick.", "It arrived a day early.", "Delivery took ages."):
        assert "cat:delivery" in found(text), text
    assert "cat:service" in found("Customer service never answered.")
    assert found("Fits true to size.").keys() >= {"cat:size_fit"}
    assert "cat:price" in found("Great value for money.")


def test_phrases_win_over_single_words() -> None:
    assert set(found("Looks cheap.")) == {"cat:quality"}  # not Price
    assert "cat:packaging" not in found("Comfortable straight out of the box.")


def test_terms_are_lemmatised_and_adjacent_nouns_make_one_mention() -> None:
    assert found("The carafes crack.")["term:carafe"][0] == "carafes"
    mentions = found("The water tank markings are hard to read.")
    assert "term:marking" in mentions and mentions["term:marking"][0] == "tank markings"
    assert "term:tank" not in mentions  # one mention for the compound, not one per word
    assert set(found("Battery life is great and the battery charges fast.")) == {"cat:battery"}


def test_everyday_words_numbers_months_and_opinion_words_are_not_aspects() -> None:
    mentions = found("Since April, ten days a week, every single time: great, awful, love it.")
    assert not [key for key in mentions if key.startswith("term:")], mentions


def test_negated_problem_word_is_flagged() -> None:
    assert found("No wobble at all.")["term:wobble"] == ("wobble", True)
    assert all(negated for _, negated in found("Never leaked, not a single drip.").values())
    assert not any(negated for _, negated in found("It leaks all over the counter.").values())
    # a negator's reach ends at a comma
    assert not any(negated for _, negated in found("No, it leaks.").values())


def test_spanish_reviews_get_spanish_words_and_terms() -> None:
    mentions = found(
        "La talla es perfecta pero el envío tardó mucho. Atención al cliente fatal. La tapa gotea."
    )
    assert {"cat:size_fit", "cat:delivery", "cat:service", "cat:leaks", "term:tapa"} <= set(mentions)
    assert "term:perfecto" not in mentions  # an adjective, not an aspect
    assert all(not key.startswith("term:") or key == "term:tapa" for key in mentions)
    assert found("Sin fugas, perfecto.", "spanish")["cat:leaks"][1] is True


def test_analyst_aspects_are_matched_first() -> None:
    extractor = AspectExtractor(
        [CatalogueAspect("custom:Lid", {"english": "Lid"}, {"english": ("lid", "cover")})]
    )
    keys = {m.aspect for m in extractor.mentions("The cover cracked and the lid is loose.")}
    assert "custom:Lid" in keys and "term:lid" not in keys


def test_keyness_prefers_product_specific_words() -> None:
    assert term_keyness(20, 100, "carafe", "english") > term_keyness(20, 100, "water", "english") > 0
    assert term_keyness(0, 100, "carafe", "english") == 0
