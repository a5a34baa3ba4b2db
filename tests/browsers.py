"""What the browser tests need (the site's in test_browser.py, the real stack's in test_reality_stack.py):
the distribution's Chromium, found on PATH, and one way to say something is missing."""

import os
import shutil

import pytest

INSTALL_CHROMIUM = "install it with `apt-get install -y chromium` (Debian), or put a Chromium on PATH"


def chromium() -> str | None:
    """The Chromium on PATH (Debian names it ``chromium``, some distributions ``chromium-browser``)."""
    return next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)


def missing(what: str, tests: str) -> None:
    """Skip ``tests`` for want of ``what``; under CI (``CI=true``, as ``.ci/run`` sets) fail instead,
    since CI must run them."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"no {what} for the {tests}", pytrace=False)
    pytest.skip(f"no {what} for the {tests}")
