"""Find reviews in one HTML page: schema.org markup first, a site profile as the fallback.

Pure functions of (html, url[, profile]); the spider calls :func:`extract_page` and yields what
it returns. Values are returned as found (raw strings); cleaning, rating normalisation and date
parsing happen in the item pipelines, through the same `core` functions uploads use.

schema.org data comes from three syntaxes, all read with `extruct`:

* JSON-LD: each `<script type="application/ld+json">` block is parsed on its own, so one broken
  block (bad JSON, an HTML comment wrapper, control characters) does not lose the others.
  `@graph`, top-level arrays and `{"@id": ...}` references are followed. (extruct's own JSON-LD
  extractor parses all blocks in one expression, so a single bad block loses the page's JSON-LD,
  and it matches the `type` attribute case-sensitively; we use its comment-tolerant `jstyleson`
  parser as the last fallback instead.)
* microdata and RDFa: extruct's uniform / expanded output is turned into the same nested dicts.

Reviews are found wherever they sit: `Product.review` (or `reviews`), stand-alone `Review` items
with `itemReviewed`, or anything with reviews nested deeper. Each review keeps its product's
name, SKU/GTIN, URL and `aggregateRating`.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import extruct
import jstyleson
import yaml
from lxml import etree
from lxml import html as lxml_html
from parsel import Selector

logger = logging.getLogger(__name__)

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
# Control characters that break parsers; tab, newline and carriage return are kept.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COMMENT_WRAPPER_RE = re.compile(r"^\s*(<!--|<!\[CDATA\[)|(-->|\]\]>)\s*$")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/")
_GTIN_KEYS = ("gtin", "gtin13", "gtin12", "gtin14", "gtin8", "isbn")
_MAX_DEPTH = 40  # nesting guard: markup is untrusted input


@dataclass(frozen=True)
class ExtractedReview:
    """One review as found on the page; every value is the raw string (or None)."""

    text: str | None
    title: str | None = None
    rating: str | None = None
    best_rating: str | None = None
    worst_rating: str | None = None
    date: str | None = None
    author: str | None = None
    product: str | None = None
    sku: str | None = None
    gtin: str | None = None
    product_url: str | None = None
    aggregate_rating: dict[str, str] | None = None
    syntax: str = "json-ld"  # json-ld | microdata | rdfa | profile

    def to_dict(self) -> dict[str, Any]:
        """The review as a plain dict (for JSON and tests)."""
        return asdict(self)


@dataclass(frozen=True)
class PageExtraction:
    """What one page holds: its reviews, the next review page, and markup problems seen."""

    reviews: list[ExtractedReview]
    next_url: str | None = None
    page_title: str | None = None
    problems: list[str] = field(default_factory=list)


class ProfileError(ValueError):
    """A site profile that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SiteProfile:
    """CSS/XPath selectors for a site that publishes reviews without schema.org markup.

    Selectors are strings, `css:...` or `xpath:...` (CSS when unprefixed). `review` selects each
    review block; `text`, `title`, `rating`, `best_rating`, `date` and `author` are evaluated
    inside a block; `product` and `next_page` on the whole page. `best_rating` / `worst_rating`
    may be plain numbers when the scale is fixed.
    """

    name: str
    selectors: dict[str, str]
    hosts: tuple[str, ...] = ()
    path: str | None = None  # regular expression the URL path must match (search)
    best_rating: str | None = None
    worst_rating: str | None = None
    source: str | None = None

    def matches(self, url: str) -> bool:
        """Whether this profile applies to `url`: its host is listed and the path pattern is found.

        A profile without hosts matches nothing automatically (it is used only with --profile).
        """
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in self.hosts):
            return False
        return not (self.path and not re.search(self.path, parts.path or "/"))


PROFILE_SELECTOR_KEYS = (
    "review",
    "text",
    "title",
    "rating",
    "best_rating",
    "date",
    "author",
    "product",
    "next_page",
)


# ---------------------------------------------------------------------------------------------
# Entry point


def extract_page(html: str, url: str, profile: SiteProfile | None = None) -> PageExtraction:
    """All reviews on a page and the URL of its next review page.

    schema.org reviews come first; `profile` (if given) is used only when the page has none, and
    its `next_page` selector is tried before `rel="next"` links.
    """
    html = _CONTROL_RE.sub("", html)
    if not html.strip():
        return PageExtraction(reviews=[], problems=["the page is empty"])
    problems: list[str] = []
    reviews = schema_org_reviews(html, url, problems)
    selector = Selector(text=html, base_url=url)
    if profile is not None and not reviews:
        reviews = profile_reviews(selector, profile)
    return PageExtraction(
        reviews=reviews,
        next_url=find_next_url(selector, url, profile),
        page_title=page_title(selector),
        problems=problems,
    )


# ---------------------------------------------------------------------------------------------
# schema.org


def schema_org_reviews(html: str, url: str, problems: list[str] | None = None) -> list[ExtractedReview]:
    """Reviews in the page's JSON-LD, microdata and RDFa, in that order.

    :param problems: if given, receives one sentence per broken JSON-LD block that was skipped.
    """
    html = _CONTROL_RE.sub("", html)
    found: list[ExtractedReview] = []
    jsonld, broken = jsonld_items(html)
    if problems is not None:
        problems.extend(broken)
    found.extend(reviews_in(jsonld, "json-ld", url))
    try:
        data = extruct.extract(html, base_url=url, syntaxes=["microdata", "rdfa"], uniform=True, errors="log")
    except Exception as exc:  # extruct raises whatever its parsers raise on hostile markup
        logger.warning("microdata/RDFa extraction failed on %s: %s", url, exc)
        data = {}
    found.extend(reviews_in(data.get("microdata", []), "microdata", url))
    found.extend(reviews_in(rdfa_to_nested(data.get("rdfa", [])), "rdfa", url))
    return found


def jsonld_items(html: str) -> tuple[list[Any], list[str]]:
    """Top-level JSON-LD objects of every parseable block, and a note per block that was not."""
    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return [], ["the page is not parseable HTML"]
    items: list[Any] = []
    problems: list[str] = []
    # The type attribute is case-insensitive in HTML ("application/LD+JSON" occurs in the wild).
    lowered = "translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    scripts = tree.xpath(f"//script[normalize-space({lowered})='application/ld+json']")
    for number, script in enumerate(scripts, start=1):
        try:
            items.extend(_as_list(_lenient_json(script.text_content())))
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            problems.append(f"JSON-LD block {number} is not valid JSON and was skipped ({exc})")
    return items, problems


def _lenient_json(text: str) -> Any:
    """Parse JSON-LD that strict JSON rejects: comment wrappers, control characters, trailing commas."""
    try:
        return json.loads(text, strict=False)  # strict=False: raw control characters inside strings
    except ValueError:
        pass
    text = _CONTROL_RE.sub("", text)
    text = "\n".join(_COMMENT_WRAPPER_RE.sub("", line) for line in text.strip().splitlines())
    text = _TRAILING_COMMA_RE.sub(r"\1", text)
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return jstyleson.loads(text, strict=False)


def rdfa_to_nested(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn extruct's expanded RDFa graph into nested compact dicts like JSON-LD's.

    Only schema.org properties are kept; `{"@id": ...}` links are replaced by the node they name.
    The roots (nodes nobody links to) are returned.
    """
    compact: dict[str, dict[str, Any]] = {}
    linked: set[str] = set()
    for node in nodes:
        node_id = node.get("@id")
        if not isinstance(node_id, str):
            continue
        out: dict[str, Any] = {"@id": node_id}
        types = [_short(t) for t in node.get("@type", []) if isinstance(t, str)]
        if types:
            out["@type"] = types
        for key, values in node.items():
            name = _short(key)
            if key.startswith("@") or name == key:
                continue  # not a schema.org property
            converted: list[Any] = []
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict) and "@value" in value:
                    converted.append(value["@value"])
                elif isinstance(value, dict) and "@id" in value:
                    converted.append({"@id": value["@id"]})
                    linked.add(value["@id"])
            if converted:
                out[name] = converted[0] if len(converted) == 1 else converted
        compact[node_id] = out
    # Fill links in place; each node dict is shared, so cycles stay finite (the walker tracks visits).
    for out in compact.values():
        for key, value in list(out.items()):
            out[key] = _link(value, compact)
    return [out for node_id, out in compact.items() if node_id not in linked and "@type" in out]


def _link(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_link(v, nodes) for v in value]
    if isinstance(value, dict) and set(value) == {"@id"} and value["@id"] in nodes:
        return nodes[value["@id"]]
    return value


def _short(name: str) -> str:
    for prefix in _SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def reviews_in(items: list[Any], syntax: str, url: str) -> list[ExtractedReview]:
    """Every schema.org review inside `items` (JSON-LD-shaped dicts), with its product context."""
    index: dict[str, dict[str, Any]] = {}
    _index_ids(items, index, 0)
    seen: set[int] = set()
    return [_review(node, product, syntax, url) for node, product in _walk(items, None, index, seen, 0)]


def _index_ids(value: Any, index: dict[str, dict[str, Any]], depth: int) -> None:
    """Map each `@id` to the fullest node carrying it, so `{"@id": ...}` references resolve."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for v in value:
            _index_ids(v, index, depth + 1)
    elif isinstance(value, dict):
        node_id = value.get("@id")
        if isinstance(node_id, str) and len(value) > 1 and len(value) > len(index.get(node_id, {})):
            index[node_id] = value
        for v in value.values():
            _index_ids(v, index, depth + 1)


def _resolve(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in index:
        return index[value["@id"]]
    return value


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type", [])
    return {
        _short(t).rsplit("/", 1)[-1] for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)
    }


def _is_review(types: set[str]) -> bool:
    # Review and its subtypes (UserReview, CriticReview, EmployerReview, ...), never AggregateRating.
    return any(t == "Review" or t.endswith("Review") for t in types)


def _walk(
    value: Any, product: dict[str, Any] | None, index: dict[str, dict[str, Any]], seen: set[int], depth: int
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Yield (review node, product node) pairs; each node is visited once."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for v in value:
            yield from _walk(v, product, index, seen, depth + 1)
        return
    value = _resolve(value, index)
    if not isinstance(value, dict) or id(value) in seen:
        return
    seen.add(id(value))
    types = _types(value)
    if _is_review(types):
        reviewed = _resolve(_first(value.get("itemReviewed")), index)
        if isinstance(reviewed, str) and reviewed.strip():
            reviewed = {"name": reviewed}  # "itemReviewed": "Acme Kettle" names the product directly
        yield value, reviewed if isinstance(reviewed, dict) else product
        return
    # Anything that carries reviews or a rating summary is the "product" for what is inside it.
    if {"review", "reviews", "aggregateRating"} & value.keys() or "Product" in types:
        product = value
    for key, child in value.items():
        if key not in ("@context", "@id", "@type", "itemReviewed"):
            yield from _walk(child, product, index, seen, depth + 1)


def _review(node: dict[str, Any], product: dict[str, Any] | None, syntax: str, url: str) -> ExtractedReview:
    rating = _first(node.get("reviewRating"))
    rating_node = rating if isinstance(rating, dict) else {}
    product = product or {}
    product_url = _string(product.get("url"))
    return ExtractedReview(
        text=_string(node.get("reviewBody")) or _string(node.get("description")) or _string(node.get("text")),
        title=_string(node.get("name")) or _string(node.get("headline")),
        rating=_string(rating_node.get("ratingValue")) if rating_node else _string(rating),
        best_rating=_string(rating_node.get("bestRating")),
        worst_rating=_string(rating_node.get("worstRating")),
        date=_string(node.get("datePublished")) or _string(node.get("dateCreated")),
        author=_person(node.get("author")),
        product=_string(product.get("name")),
        sku=_string(product.get("sku")) or _string(product.get("mpn")),
        gtin=next((g for key in _GTIN_KEYS if (g := _string(product.get(key)))), None),
        product_url=urljoin(url, product_url) if product_url else None,
        aggregate_rating=_aggregate(product.get("aggregateRating")),
        syntax=syntax,
    )


def _aggregate(value: Any) -> dict[str, str] | None:
    node = _first(value)
    if not isinstance(node, dict):
        return None
    keys = {"value": "ratingValue", "best": "bestRating", "worst": "worstRating"}
    keys |= {"count": "ratingCount", "reviews": "reviewCount"}
    out = {name: text for name, key in keys.items() if (text := _string(node.get(key))) is not None}
    return out or None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v not in (None, "", [])), None)
    return value


def _string(value: Any) -> str | None:
    """A scalar as a stripped string: numbers, `{"@value": ...}` and `{"name": ...}` included."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
        value = _first(value)
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _person(value: Any) -> str | None:
    """An author given as a string, a Person/Organization, or a list of them."""
    values = value if isinstance(value, list) else [value]
    names = [name for v in values if (name := _string(v))]
    return ", ".join(names) if names else None


def _as_list(data: Any) -> list[Any]:
    return data if isinstance(data, list) else [data]


# ---------------------------------------------------------------------------------------------
# Site profiles


def load_profile(path: Path) -> SiteProfile:
    """Read a YAML (`.yaml`/`.yml`) or TOML (`.toml`) site profile and check its selectors."""
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw_text) if path.suffix == ".toml" else yaml.safe_load(raw_text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"Site profile {path} could not be read: {exc}") from None
    return profile_from_dict(data, source=str(path))


def profile_from_dict(data: Any, source: str = "<profile>") -> SiteProfile:
    """Build and check a :class:`SiteProfile` from parsed YAML/TOML."""
    if not isinstance(data, dict):
        raise ProfileError(f"Site profile {source} must be a mapping with 'name' and 'selectors'.")
    selectors = data.get("selectors")
    if not isinstance(selectors, dict) or not selectors.get("review") or not selectors.get("text"):
        raise ProfileError(f"Site profile {source} needs 'selectors' with at least 'review' and 'text'.")
    unknown = set(selectors) - set(PROFILE_SELECTOR_KEYS)
    if unknown:
        raise ProfileError(
            f"Site profile {source} has unknown selector(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(PROFILE_SELECTOR_KEYS)}."
        )
    constants: dict[str, str] = {}
    checked: dict[str, str] = {}
    probe = Selector(text="<html><body></body></html>")
    for key, expression in selectors.items():
        if key in ("best_rating", "worst_rating") and isinstance(expression, int | float):
            constants[key] = str(expression)
            continue
        if not isinstance(expression, str) or not expression.strip():
            raise ProfileError(f"Site profile {source}: selector {key!r} must be a non-empty string.")
        try:
            _select(probe, expression)
        except (ValueError, SyntaxError) as exc:  # parsel raises ValueError, cssselect a SyntaxError
            raise ProfileError(f"Site profile {source}: selector {key!r} is invalid ({exc}).") from None
        checked[key] = expression
    match = data.get("match") or {}
    hosts = match.get("hosts", [])
    if isinstance(hosts, str):
        hosts = [hosts]
    path_pattern = match.get("path")
    if path_pattern is not None:
        try:
            re.compile(path_pattern)
        except re.error as exc:
            raise ProfileError(f"Site profile {source}: match.path is not a valid regex ({exc}).") from None
    return SiteProfile(
        name=str(data.get("name") or Path(source).stem),
        selectors=checked,
        hosts=tuple(str(h).lower() for h in hosts),
        path=path_pattern,
        best_rating=constants.get("best_rating") or _optional_str(data.get("best_rating")),
        worst_rating=constants.get("worst_rating") or _optional_str(data.get("worst_rating")),
        source=source,
    )


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def shipped_profiles(directory: Path = PROFILES_DIR) -> list[SiteProfile]:
    """The example profiles shipped in `scraping/profiles/` (a broken one is logged and skipped)."""
    profiles = []
    for path in sorted(directory.glob("*")):
        if path.suffix in (".yaml", ".yml", ".toml"):
            try:
                profiles.append(load_profile(path))
            except ProfileError as exc:
                logger.warning("%s", exc)
    return profiles


def match_profile(url: str, profiles: list[SiteProfile]) -> SiteProfile | None:
    """The first profile whose hosts and path pattern match `url`."""
    return next((p for p in profiles if p.matches(url)), None)


def _select(selector: Selector, expression: str) -> Any:
    """Evaluate `css:...` / `xpath:...` (CSS when unprefixed) relative to `selector`."""
    expression = expression.strip()
    if expression.startswith("xpath:"):
        return selector.xpath(expression[len("xpath:") :].strip())
    if expression.startswith("css:"):
        expression = expression[len("css:") :]
    return selector.css(expression.strip())


def _selected_text(selector: Selector, expression: str | None, first: bool = False) -> str | None:
    """The text the expression selects, all matches joined (or only the first non-empty one).

    Attribute and text() selections give their value; an element gives all the text inside it.
    """
    if not expression:
        return None
    parts: list[str] = []
    for match in _select(selector, expression):
        value = match.get()
        if match.root is not None and not isinstance(match.root, str):
            value = " ".join(match.xpath(".//text()").getall())  # an element: its text content
        if value and value.strip():
            parts.append(value.strip())
            if first:
                break
    return " ".join(parts) or None


def profile_reviews(selector: Selector, profile: SiteProfile) -> list[ExtractedReview]:
    """Reviews found with a site profile's selectors."""
    rules = profile.selectors
    product = _selected_text(selector, rules.get("product"))
    reviews = []
    for block in _select(selector, rules["review"]):
        reviews.append(
            ExtractedReview(
                text=_selected_text(block, rules["text"]),
                title=_selected_text(block, rules.get("title")),
                rating=_selected_text(block, rules.get("rating")),
                best_rating=_selected_text(block, rules.get("best_rating")) or profile.best_rating,
                worst_rating=profile.worst_rating,
                date=_selected_text(block, rules.get("date")),
                author=_selected_text(block, rules.get("author")),
                product=product,
                syntax="profile",
            )
        )
    return reviews


# ---------------------------------------------------------------------------------------------
# Pagination and page facts


def find_next_url(selector: Selector, url: str, profile: SiteProfile | None = None) -> str | None:
    """The next review page: the profile's `next_page`, else `<link rel=next>` / `<a rel=next>`."""
    candidates: list[str | None] = []
    if profile is not None and profile.selectors.get("next_page"):
        candidates.append(_selected_text(selector, profile.selectors["next_page"], first=True))
    has_next = "contains(concat(' ', normalize-space(translate(@rel, 'NEXT', 'next')), ' '), ' next ')"
    candidates.append(selector.xpath(f"//link[{has_next}]/@href").get())
    candidates.append(selector.xpath(f"//a[{has_next}]/@href").get())
    for href in candidates:
        href = (href or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            absolute = urljoin(url, href)
            if absolute.split("#", 1)[0] != url.split("#", 1)[0]:
                return absolute
    return None


def page_title(selector: Selector) -> str | None:
    """A product name for pages without one in markup: og:title, then the first h1, then <title>."""
    for query in (
        "//meta[@property='og:title']/@content",
        "normalize-space(//h1)",
        "normalize-space(//title)",
    ):
        value = (selector.xpath(query).get() or "").strip()
        if value:
            return value
    return None
