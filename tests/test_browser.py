"""The site in a real browser: Chromium, driven by Playwright, on every page of `make site`.

Playwright cannot download its own browser here, so the tests use the distribution's Chromium
(`apt-get install -y chromium`; `.ci/run` installs it when it is missing) through
`executable_path`. Without one the tests are skipped with that instruction, except in CI
(`CI=true`), where a missing browser is a failure. The site is built where `make site` puts it,
and a screenshot of each page is saved under `site/_build/screenshots/` (desktop, and a phone's
width for the landing page and one notebook).
"""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "site" / "_build" / "html"
SHOTS = ROOT / "site" / "_build" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
INSTALL = "install it with `apt-get install -y chromium` (Debian), or put a Chromium on PATH"


def chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no Chromium for the browser tests: {INSTALL}", pytrace=False)
        pytest.skip(f"no Chromium for the browser tests: {INSTALL}")
    sync_api = pytest.importorskip("playwright.sync_api")
    build_main = pytest.importorskip("sphinx.cmd.build").build_main
    assert build_main(["-q", "-c", str(ROOT / "site"), "-b", "html", str(ROOT), str(HTML)]) == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


def site_pages() -> list[str]:
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    return ["site/index", *(f"notebooks/{stem}" for stem in notebooks), "figures/README", "docs/libraries"]


def visit(browser, page_name: str, viewport: dict) -> dict:
    """Open one page; what a reader would notice: its title, images that did not load, errors."""
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((HTML / f"{page_name}.html").as_uri())
    page.wait_for_load_state("load")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    size = "phone" if viewport is PHONE else "desktop"
    page.screenshot(path=str(SHOTS / f"{page_name.replace('/', '-')}-{size}.png"))
    found = {"title": page.title(), "broken": broken, "errors": errors, "overflow": overflow}
    page.close()
    return found


@pytest.mark.parametrize("page_name", site_pages())
def test_every_page_opens_with_its_images_and_no_script_error(browser, page_name):
    seen = visit(browser, page_name, DESKTOP)
    assert seen["title"].endswith("Silent Refresh Lab"), seen["title"]
    assert not seen["broken"], f"images that did not load: {seen['broken']}"
    assert not seen["errors"], f"script errors: {seen['errors']}"


@pytest.mark.parametrize("page_name", ["site/index", "notebooks/03-refresh-storm"])
def test_a_phone_sees_the_page_without_sideways_scrolling(browser, page_name):
    seen = visit(browser, page_name, PHONE)
    assert not seen["broken"]
    assert seen["overflow"] <= 0, f"the page is {seen['overflow']} px wider than a phone's screen"
