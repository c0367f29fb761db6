"""The real spider in a subprocess (`python -m scraping crawl`) against a local fixture site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraping.__main__ import main
from tests.scraping.conftest import FIXTURES, Served, run_cli

FIELDS = ("product", "product_url", "source_url", "title", "text", "rating", "best_rating", "worst_rating")
FIELDS += ("date", "author")
PRIVATE_OK = "--allow-private-addresses"


def expected_reviews(base: str) -> list[tuple[object, ...]]:
    """Every review of the fixture pages, in FIELDS order (duplicates and text-less ones excluded)."""
    kettle = ("Acme Kettle", f"{base}/products/acme-kettle", f"{base}/jsonld.html")
    flaky = ("Flaky Kettle", f"{base}/products/acme-kettle", f"{base}/flaky/once.html")
    lamp = ("Zen Lamp", f"{base}/graph.html", f"{base}/graph.html")
    shoe = ("Trail Shoe", f"{base}/microdata.html", f"{base}/microdata.html")
    fan = ("Desk Fan", f"{base}/rdfa.html", f"{base}/rdfa.html")
    grinder = ("Burr Grinder", f"{base}/paged-1.html")
    mug = ("Sturdy Mug", f"{base}/broken.html", f"{base}/broken.html")
    return sorted(
        [
            (
                *kettle,
                "Fast boil",
                "Boils in two minutes. Very happy.",
                4.0,
                5.0,
                1.0,
                "2024-03-05T09:00:00",
                "Ann Lee",
            ),
            (*kettle, None, "Too hot & loud at night .", 2.0, 5.0, 1.0, "2024-03-06", "Bob"),
            (
                *flaky,
                "Fast boil",
                "Boils in two minutes. Very happy.",
                4.0,
                5.0,
                1.0,
                "2024-03-05T09:00:00",
                "Ann Lee",
            ),
            (*flaky, None, "Too hot & loud at night .", 2.0, 5.0, 1.0, "2024-03-06", "Bob"),
            (*lamp, None, "Soft warm light.", 9.0, 10.0, 0.0, None, "Cy, Di"),
            (*lamp, None, "Flickers constantly.", 1.0, 5.0, 1.0, "2023-12-24", None),
            (*shoe, "Great grip", "Grips wet rock like glue.", 5.0, 5.0, 1.0, "2024-05-01", "Eve"),
            (*shoe, None, "Fine, runs small.", 3.0, 5.0, 1.0, None, "Finn"),
            (*fan, "Whisper quiet", "I forget it is on.", 8.0, 10.0, 1.0, "2024-07-15", "Gus"),
            (*grinder, f"{base}/paged-1.html", None, "Page one, review one.", 5.0, 5.0, 1.0, None, "P1A"),
            (*grinder, f"{base}/paged-1.html", None, "Page one, review two.", 4.0, 5.0, 1.0, None, "P1B"),
            (*grinder, f"{base}/paged-2.html", None, "Page two, review one.", 3.0, 5.0, 1.0, None, "P2A"),
            (*grinder, f"{base}/paged-3.html", None, "Page three, last review.", 1.0, 5.0, 1.0, None, "P3A"),
            (*mug, None, "Survived the dishwasher.", 4.0, 5.0, 1.0, None, "Hal"),
            (*mug, None, "Chipped on day one. Sad.", 1.0, 5.0, 1.0, None, "Ivy"),
        ],
        key=repr,
    )


def rows(reviews: list[dict[str, object]]) -> list[tuple[object, ...]]:
    """The JSONL objects as tuples in FIELDS order (and no other keys)."""
    assert all(tuple(r) == FIELDS for r in reviews)
    return sorted((tuple(r[f] for f in FIELDS) for r in reviews), key=repr)


def test_crawl_extracts_every_review_once_and_reports_each_failure(served: Served, tmp_path: Path) -> None:
    good = ["/jsonld.html", "/graph.html", "/microdata.html", "/rdfa.html", "/paged-1.html", "/broken.html"]
    bad = ["/missing.html", "/flaky/once.html", "/private/secret.html", "/loop-a.html", "/to-metadata.html"]
    result = run_cli([served.url(p) for p in good + bad] + [PRIVATE_OK, "--no-store"], tmp_path)

    assert result.returncode == 0, result.stderr
    assert rows(result.reviews) == expected_reviews(served.base)
    base = served.base
    assert sorted(result.status["errors"]) == sorted(
        [
            f"{base}/missing.html answered HTTP 404 (page not found).",
            f"{base}/private/secret.html is disallowed by the site's robots.txt, so it was not fetched.",
            f"{base}/loop-a.html redirects too many times (a redirect loop?); gave up.",
            "Refused 'http://169.254.169.254/latest/meta-data/': 169.254.169.254 is the cloud metadata "
            "endpoint. Metadata endpoints are never crawled.",
        ]
    )
    assert result.status | {"errors": None} == {
        "state": "finished",
        "message": "Done.",
        "pages": 9,
        "items": 15,
        "stored": 0,
        "duplicates": 1,  # "Page one, review one." again on page 2
        "errors": None,
        "products": [],
        "import_id": None,
    }
    hits = served.site.hits
    assert hits["/flaky/once.html"] == 2  # 500, retried, then 200
    assert "/private/secret.html" not in hits  # robots.txt was obeyed
    assert hits["/robots.txt"] == 1
    assert result.stdout.startswith("Crawled 9 pages: 15 reviews (1 duplicate(s) and 1 invalid dropped)")


def test_nothing_fetched_exits_non_zero_with_specific_reasons(served: Served, tmp_path: Path) -> None:
    urls = [served.url(p) for p in ("/missing.html", "/private/other.html", "/loop-b.html")]
    result = run_cli([*urls, PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 3
    assert result.reviews == []
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Nothing could be fetched: ")
    for reason in (
        "answered HTTP 404 (page not found)",
        "disallowed by the site's robots.txt",
        "redirect loop",
    ):
        assert reason in last
    assert result.status["state"] == "failed" and result.status["message"] == last


def test_local_addresses_are_refused_without_the_flag(
    served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Refused before any crawling starts, so the CLI can run in this process.
    before = dict(served.site.hits)
    status_file = tmp_path / "status.json"
    code = main(["crawl", served.url("/jsonld.html"), "--no-store", "--status-file", str(status_file)])
    assert code == 3
    stderr = capsys.readouterr().err
    assert "127.0.0.1 is a loopback address" in stderr
    assert "--allow-private-addresses" in stderr
    assert served.site.hits == before  # not even robots.txt was requested
    assert json.loads(status_file.read_text())["state"] == "failed"


def test_page_without_markup_suggests_a_site_profile(served: Served, tmp_path: Path) -> None:
    result = run_cli([served.url("/plain.html"), PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 1
    assert "write a site profile" in result.stderr
    assert result.status["state"] == "failed" and result.status["pages"] == 1


def test_site_profile_and_page_limit(served: Served, tmp_path: Path) -> None:
    profile = str(FIXTURES / "plain-profile.yaml")
    result = run_cli([served.url("/plain.html"), PRIVATE_OK, "--no-store", "--profile", profile], tmp_path)
    assert result.returncode == 0, result.stderr
    plain = f"{served.base}/plain.html"
    teapot = ("Plain Teapot", plain)
    assert rows(result.reviews) == sorted(
        [
            (*teapot, plain, None, "Pours without dripping.", 4.0, 5.0, 1.0, "2024-03-12", "Jo"),
            (*teapot, plain, None, "Lid rattles.", 2.0, 5.0, 1.0, None, "Kim"),
            (
                *teapot,
                f"{served.base}/plain-2.html",
                None,
                "Keeps tea hot for an hour.",
                5.0,
                5.0,
                1.0,
                None,
                "Lu",
            ),
        ],
        key=repr,
    )
    limited = run_cli([served.url("/paged-1.html"), PRIVATE_OK, "--no-store", "--max-pages", "2"], tmp_path)
    assert limited.returncode == 0
    assert limited.status["pages"] == 2
    assert sorted(r["author"] for r in limited.reviews) == ["P1A", "P1B", "P2A"]


def test_unusable_profile_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("selectors: {review: li}\n")
    assert main(["crawl", "http://127.0.0.1:9/x", "--profile", str(bad)]) == 2
    assert "needs 'selectors' with at least 'review' and 'text'" in capsys.readouterr().err


def test_more_start_urls_than_the_page_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "http://a.test/1", "http://a.test/2", "--max-pages", "1"]) == 2
    assert "2 start URL(s) but a page limit of 1" in capsys.readouterr().err


def _model_available() -> bool:
    from core.settings import get_settings

    return (get_settings().model_dir / "sentiment.pt").is_file()


@pytest.mark.skipif(
    not _model_available(), reason="the base model (models/base/sentiment.pt) is not built yet"
)
def test_crawl_stores_and_scores_once_even_when_run_again(served: Served, tmp_path: Path) -> None:
    from sqlalchemy import select

    from core.storage.engine import dispose_engines, get_engine
    from core.storage.queries import reviews_frame
    from core.storage.schema import ImportRun, SiteRating

    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    urls = [served.url(p) for p in ("/jsonld.html", "/paged-1.html", "/missing.html")]
    first = run_cli([*urls, PRIVATE_OK], tmp_path, db_url=db_url)
    assert first.returncode == 0, first.stderr
    assert (first.status["stored"], first.status["duplicates"], first.status["state"]) == (6, 1, "finished")
    assert sorted(first.status["products"]) == ["Acme Kettle", "Burr Grinder"]
    again = run_cli([*urls, PRIVATE_OK], tmp_path, db_url=db_url)
    assert again.returncode == 0, again.stderr
    assert (again.status["stored"], again.status["duplicates"]) == (0, 7)  # 6 already stored + 1 in-crawl

    engine = get_engine(db_url)
    try:
        frame = reviews_frame(engine).sort_values("text")
        assert len(frame) == 6
        assert set(frame["source"]) == {"scrape"}
        assert frame["label"].isin(["negative", "neutral", "positive"]).all()
        ann = frame[frame["author"] == "Ann Lee"].iloc[0]
        assert (ann["product"], ann["title"], ann["rating"], ann["rating_raw"]) == (
            "Acme Kettle",
            "Fast boil",
            0.75,
            "4",
        )
        assert ann["source_url"] == served.url("/jsonld.html")
        columns = (ImportRun.id, ImportRun.kind, ImportRun.status, ImportRun.pages, ImportRun.stored)
        with engine.connect() as conn:
            runs = conn.execute(select(*columns, ImportRun.errors).order_by(ImportRun.id)).all()
        assert [tuple(r)[1:5] for r in runs] == [
            ("scrape", "succeeded", 4, 6),
            ("scrape", "succeeded", 4, 0),
        ]
        assert runs[0].errors == [f"{served.base}/missing.html answered HTTP 404 (page not found)."]
        assert first.status["import_id"] == runs[0].id
        # the kettle page's own aggregateRating, once per crawl; the newest is what the dashboard shows
        from core.storage.queries import latest_site_ratings

        site = latest_site_ratings(engine)
        assert site[["product", "value", "best", "reviews"]].values.tolist() == [["Acme Kettle", 3.0, 5.0, 2]]
        assert site.iloc[0]["stars"] == 3.0 and site.iloc[0]["source_url"] == served.url("/jsonld.html")
        with engine.connect() as conn:
            seen = conn.execute(select(SiteRating.import_id).order_by(SiteRating.id)).scalars().all()
        assert seen == [runs[0].id, runs[1].id]
    finally:
        dispose_engines(db_url)
