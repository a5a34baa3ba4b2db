"""Sphinx configuration of the static site (``make site``): the committed notebooks, not re-run.

The source folder is the repository root, so the README, the notebooks, the figures' index and the
presets' reference are built where they live and their relative links and images keep working.
``site/index.md`` is the landing page (the README, then the notebooks in order); ``root/index.html``
sends a visitor of the output's top folder there. Output: ``site/_build/html`` (ignored by git).
"""

project = "Silent Refresh Lab"
author = "Silent Refresh Lab"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = "Silent Refresh Lab"
root_doc = "site/index"
nb_execution_mode = "off"  # the committed outputs, exactly as CI checked them: fast and byte-stable
exclude_patterns = [
    ".venv", ".pytest_cache", ".hypothesis", ".sweep-cache", "site/_build", "scenarios", "tests", "sim", "tools",
    "sweeps", "**/.ipynb_checkpoints", "reality/node_modules",
    "README.md",  # included by site/index.md, not a page of its own
    "notebooks/playground.ipynb",  # a live app (make playground), nothing to read without its server
]  # fmt: skip
html_extra_path = ["root"]
myst_heading_anchors = 3
# notebook 02's Set-Cookie example is no full HTTP message for the lexer; headings start at ## in notebooks
suppress_warnings = ["myst.header", "misc.highlighting_failure"]
html_static_path = ["static"]
html_css_files = ["site.css"]
