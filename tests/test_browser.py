"""The site and the playground in a real browser: Chromium, driven by Playwright.

Playwright cannot download its own browser here, so the tests use the distribution's Chromium
(`apt-get install -y chromium`; `.ci/run` installs it when it is missing) through
`executable_path`. Without one the tests are skipped with that instruction, except in CI
(`CI=true`), where a missing browser is a failure. The site is built where `make site` puts it,
and a screenshot of each page is saved under `site/_build/screenshots/` (desktop, and a phone's
width for the landing page and one notebook). The playground (`make playground`) is started with
Voilà on a free local port, a slider is moved, and the server is stopped again.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browsers import INSTALL_CHROMIUM, chromium, missing

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "site" / "_build" / "html"
SHOTS = ROOT / "site" / "_build" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    if path is None:
        missing(f"Chromium ({INSTALL_CHROMIUM})", "browser tests")
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
    docs = sorted(f"docs/{p.stem}" for p in (ROOT / "docs").glob("*.md"))  # the README's pages, libraries.md too
    return ["site/index", *(f"notebooks/{stem}" for stem in notebooks), "figures/README", *docs]


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


@pytest.mark.parametrize("page_name", ["site/index", "notebooks/03-refresh-storm", "docs/model"])
def test_a_phone_sees_the_page_without_sideways_scrolling(browser, page_name):
    seen = visit(browser, page_name, PHONE)
    assert not seen["broken"]
    assert seen["overflow"] <= 0, f"the page is {seen['overflow']} px wider than a phone's screen"


# -- the playground -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def playground(browser):
    """``make playground``'s server on a free port; stopped, with its kernel, when the tests are done."""
    port = free_port()
    voila = Path(sys.executable).with_name("voila")
    command = [str(voila), "notebooks/playground.ipynb", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    log = SHOTS / "playground-voila.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("wb") as output:
        server = subprocess.Popen(  # its own process group, so stopping it stops the kernel it started too
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:  # listening (a GET of the page would start a kernel)
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"voila did not start: {log.read_text()[-2000:]}", pytrace=False)
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def open_playground(browser, url: str, viewport: dict):
    page = browser.new_page(viewport=viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector(".refresh-count", timeout=120_000)  # the kernel ran the notebook
    page.wait_for_selector("img.widget-image", state="visible")
    return page, errors


def picture(page) -> str:
    return page.locator("img.widget-image").get_attribute("src")


def test_the_playground_answers_a_slider_move(browser, playground):
    page, errors = open_playground(browser, playground, DESKTOP)
    assert page.inner_text(".refresh-count") == "5"  # naive, a burst of 5: one refresh per request
    assert page.inner_text(".verdict").startswith("Refresh storm")
    before = picture(page)
    page.screenshot(path=str(SHOTS / "playground-desktop.png"))
    burst = page.locator(".widget-slider", has_text="burst").locator(".noUi-handle")
    burst.focus()
    page.keyboard.press("ArrowRight")  # the slider from 5 to 6, as a reader with a keyboard moves it
    page.wait_for_function("document.querySelector('.refresh-count').textContent === '6'", timeout=10_000)
    page.wait_for_function("src => document.querySelector('img.widget-image').src !== src", arg=before)
    assert page.locator(".widget-slider", has_text="burst").locator(".widget-readout").inner_text() == "6"
    page.locator(".widget-dropdown", has_text="client").locator("select").select_option("locked")  # one refresh
    page.wait_for_function("document.querySelector('.refresh-count').textContent === '1'", timeout=10_000)
    # The count and the verdict are separate widgets, updated one after the other: wait for both.
    page.wait_for_function(
        "document.querySelector('.verdict').textContent.startsWith('Fine: one refresh call')", timeout=10_000
    )
    assert not errors, f"script errors: {errors}"
    page.close()


def test_a_phone_sees_the_playground_without_sideways_scrolling(browser, playground):
    page, errors = open_playground(browser, playground, PHONE)
    page.screenshot(path=str(SHOTS / "playground-phone.png"))
    page.locator(".refresh-count").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "playground-phone-results.png"))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the playground is {overflow} px wider than a phone's screen"
    assert not errors, f"script errors: {errors}"
    page.close()
