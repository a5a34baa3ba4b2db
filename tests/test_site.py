"""The static site (`make site`): every notebook a page, the README its landing page, no broken link or image.

Built here into a temporary folder with Sphinx, as `make site` builds it (the committed notebooks,
not re-run). Links and images are checked in the HTML itself; a browser is not needed for that.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LOCAL = re.compile(r'(?:href|src)="(?!https?:|mailto:|#|data:|javascript:)([^"#?]+)')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    build_main = pytest.importorskip("sphinx.cmd.build").build_main
    out = tmp_path_factory.mktemp("site")
    assert build_main(["-q", "-c", str(ROOT / "site"), "-b", "html", str(ROOT), str(out)]) == 0
    return out


def pages(site: Path) -> list[Path]:
    return [page for page in site.rglob("*.html") if "_static" not in page.parts]


def test_every_notebook_is_a_page_and_the_readme_is_the_landing_page(site):
    for notebook in NOTEBOOKS:
        assert (site / "notebooks" / f"{notebook.stem}.html").exists(), notebook.name
    landing = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert "Silent Refresh Lab" in landing and "The two commands" in landing
    assert 'url=site/index.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "figures" / "README.html").exists() and (site / "docs" / "libraries.html").exists()


def test_every_docs_page_is_a_page_of_the_site(site):
    """The README sends readers to docs/: each page is built, and listed on the landing page unless an orphan."""
    toctree = (ROOT / "site" / "index.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert (site / "docs" / f"{page.stem}.html").exists(), page.name
        orphan = page.read_text(encoding="utf-8").startswith("---\norphan: true")
        assert orphan or f"../docs/{page.stem}\n" in toctree, f"{page.name} is in no toctree of site/index.md"


def test_no_broken_internal_link_or_image(site):
    broken = [
        (str(page.relative_to(site)), target)
        for page in pages(site)
        for target in LOCAL.findall(page.read_text(encoding="utf-8"))
        if not (page.parent / target).exists()
    ]
    assert not broken, broken[:10]


def test_notebook_pages_show_their_figures_and_no_error_output(site):
    for notebook in NOTEBOOKS:
        html = (site / "notebooks" / f"{notebook.stem}.html").read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in html and "output error" not in html, notebook.name
    storm = (site / "notebooks" / "03-refresh-storm.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="[^"]+\.png"', storm)


def test_pages_come_in_the_series_order(site):
    landing = (site / "site" / "index.html").read_text(encoding="utf-8")
    order = [landing.find(f"notebooks/{notebook.stem}.html") for notebook in NOTEBOOKS]
    assert all(position > 0 for position in order) and order == sorted(order)
