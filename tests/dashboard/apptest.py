"""Open dashboard pages with `AppTest` and read what they show.

`AppTest` (Streamlit 1.67) runs `st.navigation` apps: each page test starts from
`dashboard/app.py`, as `streamlit run` does, and switches to the page under test, so page links,
the sidebar and session state behave as in the browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT = 120  # seconds per script run: the first run loads the model


def open_page(page: str, session: dict[str, Any] | None = None) -> AppTest:
    """Run the app, then switch to `views/<page>.py` (the Overview is the default page)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(elements: Any) -> list[str]:
    """The `.value` of every element in an AppTest element list, as strings."""
    return [str(e.value) for e in elements]


def shown(markdown: str) -> str:
    """What a Markdown element displays for escaped text (backslash escapes removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
