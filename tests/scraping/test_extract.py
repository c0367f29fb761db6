"""Extraction from fixture pages: every field of every review, broken markup, profiles, pagination."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from scraping.extract import (
    ExtractedReview,
    ProfileError,
    extract_page,
    find_next_url,
    jsonld_items,
    load_profile,
    match_profile,
    profile_from_dict,
    shipped_profiles,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE = "http://shop.test"


def page(name: str, profile_name: str | None = None) -> list[ExtractedReview]:
    """The reviews extract_page finds in a fixture file served at BASE/name."""
    profile = load_profile(FIXTURES / profile_name) if profile_name else None
    return extract_page((FIXTURES / name).read_text(), f"{BASE}/{name}", profile).reviews


def test_jsonld_product_with_nested_reviews() -> None:
    aggregate = {"value": "3.0", "best": "5", "reviews": "2"}
    product = {
        "product": "Acme Kettle",
        "sku": "AK-1",
        "gtin": "0012345678905",
        "product_url": f"{BASE}/products/acme-kettle",
        "aggregate_rating": aggregate,
        "syntax": "json-ld",
    }
    assert page("jsonld.html") == [
        ExtractedReview(
            text="Boils in two minutes. Very happy.",
            title="Fast boil",
            rating="4",
            best_rating="5",
            worst_rating="1",
            date="2024-03-05T10:00:00+01:00",
            author="Ann Lee",
            **product,
        ),
        # description is the fallback for reviewBody; a plain string author; a number rating
        ExtractedReview(
            text="Too hot &amp; loud <b>at night</b>.", rating="2", date="2024-03-06", author="Bob", **product
        ),
    ]


def test_jsonld_graph_with_id_links_and_item_reviewed() -> None:
    common = {"product": "Zen Lamp", "sku": "ZL-9", "syntax": "json-ld"}
    assert page("graph.html") == [
        ExtractedReview(
            text="Soft warm light.", rating="9", best_rating="10", worst_rating="0", author="Cy, Di", **common
        ),
        ExtractedReview(text="Flickers constantly.", rating="1", date="2023-12-24", **common),
    ]


def test_top_level_array_and_reviews_without_product() -> None:
    reviews = page("paged-2.html")
    assert [(r.text, r.author, r.rating, r.product) for r in reviews] == [
        ("Page two, review one.", "P2A", "3", None),
        ("Page one, review one.", "P1A", "5", None),
    ]


def test_microdata() -> None:
    common = {"product": "Trail Shoe", "sku": "TS-42", "syntax": "microdata"}
    assert page("microdata.html") == [
        ExtractedReview(
            text="Grips wet rock like glue.",  # extruct collapses microdata whitespace
            title="Great grip",
            rating="5",
            best_rating="5",
            date="2024-05-01",
            author="Eve",
            **common,
        ),
        ExtractedReview(text="Fine, runs small.", rating="3", author="Finn", **common),
    ]


def test_rdfa() -> None:
    assert page("rdfa.html") == [
        ExtractedReview(
            text="I forget it is on.",
            title="Whisper quiet",
            rating="8",
            best_rating="10",
            date="2024-07-15",
            author="Gus",
            product="Desk Fan",
            syntax="rdfa",
        )
    ]


def test_broken_jsonld_blocks_do_not_lose_the_valid_ones() -> None:
    html = (FIXTURES / "broken.html").read_text()
    result = extract_page(html, f"{BASE}/broken.html")
    assert [(r.text, r.author, r.rating, r.best_rating, r.product) for r in result.reviews] == [
        # wrapped in an HTML comment, with a \u0007 escape and trailing commas
        ("Survived\x07 the dishwasher.", "Hal", "4", "5", "Sturdy Mug"),
        # a raw control character in the block
        ("Chipped on day one. Sad.", "Ivy", "1", "5", "Sturdy Mug"),
        # no text: kept here, dropped by the validate pipeline
        (None, "NoText", None, None, "Sturdy Mug"),
    ]
    assert len(result.problems) == 1
    assert result.problems[0].startswith("JSON-LD block 1 is not valid JSON and was skipped")
    # the review inside an HTML comment in the body is not markup
    assert all("commented out" not in (r.text or "") for r in result.reviews)


def test_each_jsonld_block_is_parsed_on_its_own() -> None:
    html = (
        '<script type="application/ld+json">{"a": </script>'
        '<script type="APPLICATION/LD+JSON">{"@type": "Thing", "name": "ok"}</script>'
        '<script type="application/ld+json">// a JS comment\n[{"@type": "Thing", "name": "two"}]</script>'
    )
    items, problems = jsonld_items(html)
    assert items == [{"@type": "Thing", "name": "ok"}, {"@type": "Thing", "name": "two"}]
    assert len(problems) == 1


def test_page_without_markup_has_no_reviews_and_reports_its_title() -> None:
    result = extract_page((FIXTURES / "plain.html").read_text(), f"{BASE}/plain.html")
    assert result.reviews == []
    assert result.page_title == "Plain Teapot"


def test_site_profile_extracts_reviews() -> None:
    assert page("plain.html", "plain-profile.yaml") == [
        ExtractedReview(
            text="Pours without dripping.",
            rating="4 out of 5",
            date="12 March 2024",
            author="Jo",
            product="Plain Teapot",
            syntax="profile",
        ),
        ExtractedReview(
            text="Lid rattles.", rating="★★☆☆☆", author="Kim", product="Plain Teapot", syntax="profile"
        ),
    ]


def test_profile_is_not_used_when_the_page_has_schema_org_reviews() -> None:
    assert {r.syntax for r in page("jsonld.html", "plain-profile.yaml")} == {"json-ld"}


@pytest.mark.parametrize(
    ("name", "profile", "expected"),
    [
        ("paged-1.html", None, f"{BASE}/paged-2.html"),  # <link rel="next">
        ("paged-2.html", None, f"{BASE}/paged-3.html"),  # <a rel="nofollow next"> (relative href)
        ("paged-3.html", None, None),
        ("plain.html", "plain-profile.yaml", f"{BASE}/plain-2.html"),  # the profile's next_page
        ("plain-2.html", "plain-profile.yaml", None),
    ],
)
def test_next_page(name: str, profile: str | None, expected: str | None) -> None:
    loaded = load_profile(FIXTURES / profile) if profile else None
    assert extract_page((FIXTURES / name).read_text(), f"{BASE}/{name}", loaded).next_url == expected


def test_next_page_ignores_links_to_the_same_page_and_fragments() -> None:
    html = '<a rel="next" href="#reviews">x</a><link rel="next" href="/p.html">'
    assert find_next_url(Selector(text=html), f"{BASE}/p.html") is None


def test_shipped_profiles_load_and_the_demo_profile_matches_plain_pages() -> None:
    profiles = shipped_profiles()
    assert len(profiles) >= 2
    assert match_profile("http://127.0.0.1:8765/plain/cozy-socks.html", profiles).name.startswith("Northwind")
    assert match_profile("http://127.0.0.1:8765/product.html", profiles) is None
    assert match_profile("https://forum.example.com/reviews/42", profiles).name == "Example forum (template)"
    no_hosts = load_profile(FIXTURES / "plain-profile.yaml")  # used only when passed with --profile
    assert match_profile("http://shop.test/plain.html", [no_hosts]) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"selectors": {"review": "li"}}, "at least 'review' and 'text'"),
        ({"selectors": {"review": "li", "text": "p", "stars": "x"}}, "unknown selector(s) stars"),
        ({"selectors": {"review": "li", "text": "css:p[[["}}, "selector 'text' is invalid"),
        ({"selectors": {"review": "xpath://li[", "text": "p"}}, "selector 'review' is invalid"),
        (
            {"selectors": {"review": "li", "text": "p"}, "match": {"path": "("}},
            "match.path is not a valid regex",
        ),
    ],
)
def test_bad_profiles_are_refused_with_the_reason(data: object, message: str) -> None:
    with pytest.raises(ProfileError, match=r"my\.yaml") as error:
        profile_from_dict(data, source="my.yaml")
    assert message in str(error.value)


def test_toml_profile_and_unreadable_file(tmp_path: Path) -> None:
    toml = tmp_path / "p.toml"
    toml.write_text('name = "T"\nbest_rating = 10\n[selectors]\nreview = "li"\ntext = "xpath:./p"\n')
    profile = load_profile(toml)
    assert (profile.name, profile.best_rating, profile.selectors["text"]) == ("T", "10", "xpath:./p")
    bad = tmp_path / "bad.yaml"
    bad.write_text("selectors: [unclosed")
    with pytest.raises(ProfileError, match="could not be read"):
        load_profile(bad)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "  \x00 ",
        "\x00\x01 binary garbage \xff",
        "<html>",
        '<script type="application/ld+json">' + "[" * 50_000 + "]" * 50_000 + "</script>",
        '<script type="application/ld+json">{"@graph": {"@id": "#a", "review": {"@id": "#a"}}}</script>',
    ],
)
def test_hostile_or_empty_pages_never_raise(html: str) -> None:
    assert extract_page(html, f"{BASE}/x").reviews == []


def test_item_reviewed_given_as_plain_text_names_the_product() -> None:
    data = '{"@type": "Review", "reviewBody": "ok", "itemReviewed": "Mug"}'
    html = f'<script type="application/ld+json">{data}</script>'
    assert [r.product for r in extract_page(html, f"{BASE}/x").reviews] == ["Mug"]
