"""Faults a careless or hostile user or site brings to a crawl (issue 18): each gets one clear line,
and nothing that went right is lost or reported as failed. Real CLI processes, real fixture site.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraping.runner import CrawlJob
from tests.scraping.conftest import Served, run_cli

PRIVATE_OK = "--allow-private-addresses"
BAD_IPV6 = "http://[::1/"
BAD_IPV6_LINE = f"Refused {BAD_IPV6!r}: it is not a valid URL (Invalid IPv6 URL)."


@pytest.fixture(autouse=True)
def no_politeness_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    """`CrawlJob` children inherit the environment; our fixture server needs no delay."""
    monkeypatch.setenv("SENTIMENT_SCRAPE_DELAY_S", "0")


def authors(reviews: list[dict[str, object]]) -> list[object]:
    return sorted(str(r["author"]) for r in reviews)


@pytest.mark.parametrize("bad", [BAD_IPV6, "http://127.0.0.1:99999/x", "http://[::1]x/"])
def test_a_malformed_start_url_is_refused_by_name_and_the_others_are_crawled(
    served: Served, tmp_path: Path, bad: str
) -> None:
    result = run_cli([bad, served.url("/jsonld.html"), PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert authors(result.reviews) == ["Ann Lee", "Bob"]
    refusals = [line for line in result.stderr.splitlines() if line.startswith("Refused ")]
    assert len(refusals) == 1 and refusals[0].startswith(f"Refused {bad!r}: it is not a valid URL ("), (
        refusals
    )
    assert result.status["state"] == "finished"
    assert result.status["errors"] == refusals
    assert "; 1 error(s)." in result.stdout


def test_only_malformed_urls_fetch_nothing_with_the_reason(served: Served, tmp_path: Path) -> None:
    result = run_cli([BAD_IPV6, PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"Nothing could be fetched: {BAD_IPV6_LINE}"]
    assert result.status["state"] == "failed"


def test_the_dashboard_crawl_refuses_the_malformed_url_and_crawls_the_rest(served: Served) -> None:
    job = CrawlJob.start([BAD_IPV6, served.url("/jsonld.html")], allow_private=True, store=False)
    status = job.wait(60)
    log = job.log_tail(50)
    job.cleanup()
    assert status.state == "finished", (status, log)
    assert status.items == 2
    assert status.errors == [BAD_IPV6_LINE]
    assert "Traceback" not in log


def test_status_file_in_a_missing_folder_is_created(served: Served, tmp_path: Path) -> None:
    status_file = tmp_path / "new" / "deeper" / "status.json"
    result = run_cli(
        [served.url("/jsonld.html"), PRIVATE_OK, "--no-store"], tmp_path, status_file=status_file
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.status["state"] == "finished" and result.status["items"] == 2


def test_unusable_status_file_is_refused_up_front_in_one_line(served: Served, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    before = dict(served.site.hits)
    result = run_cli(
        [served.url("/jsonld.html"), PRIVATE_OK, "--no-store"], tmp_path, status_file=blocker / "status.json"
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"Cannot write the status file {blocker / 'status.json'}: "
    )
    assert served.site.hits == before  # refused before anything was fetched


@pytest.mark.parametrize(
    ("path", "scheme", "target"),
    [
        ("/to-file.html", "file", "file:///etc/passwd"),
        ("/to-ftp.html", "ftp", "ftp://127.0.0.1/reviews.html"),
    ],
)
def test_redirect_to_a_refused_scheme_says_so(
    served: Served, tmp_path: Path, path: str, scheme: str, target: str
) -> None:
    result = run_cli([served.url(path), served.url("/jsonld.html"), PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.status["errors"] == [
        f"{served.url(path)} redirects to {target!r}, a {scheme}: URL; only http and https pages are "
        "crawled, so the redirect was refused."
    ]


def test_oversized_chunked_page_names_the_size_limit(served: Served, tmp_path: Path) -> None:
    result = run_cli(
        [served.url("/huge-chunked.html"), served.url("/jsonld.html"), PRIVATE_OK, "--no-store"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.status["errors"] == [
        f"{served.url('/huge-chunked.html')} is larger than the download size limit (10 MiB); skipped."
    ]
    assert "CancelledError" not in result.stderr + result.stdout


def test_hitting_the_page_limit_is_said(served: Served, tmp_path: Path) -> None:
    result = run_cli([served.url("/paged-1.html"), PRIVATE_OK, "--no-store", "--max-pages", "2"], tmp_path)
    assert result.returncode == 0, result.stderr
    note = "Stopped at the page limit of 2 pages; more review pages were not fetched."
    assert result.stdout.strip().endswith(note), result.stdout
    assert result.status["message"] == f"Done. {note}"


def test_hitting_the_review_limit_is_said(served: Served, tmp_path: Path) -> None:
    result = run_cli(
        [served.url("/paged-1.html"), PRIVATE_OK, "--no-store"],
        tmp_path,
        env_extra={"SENTIMENT_SCRAPE_MAX_ITEMS": "2"},
    )
    assert result.returncode == 0, result.stderr
    note = "Stopped at the review limit of 2 reviews (SENTIMENT_SCRAPE_MAX_ITEMS); the site may have more."
    assert result.stdout.strip().endswith(note), result.stdout
    assert result.status["message"] == f"Done. {note}"


def test_no_limit_note_when_the_crawl_ran_out_of_pages(served: Served, tmp_path: Path) -> None:
    result = run_cli([served.url("/paged-1.html"), PRIVATE_OK, "--no-store"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Stopped at" not in result.stdout
    assert result.status["message"] == "Done."
