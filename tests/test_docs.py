"""The repository cites nothing outside itself, and its quotes of the article are in docs/article.md.

Both tests read files as text (and parse ``sim/`` with ``ast``, which runs nothing): they do not import
``sim``, so they say something useful even while the package does not import.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "docs" / "article.md"
WALKED = ("notebooks", "tests", "sim", "docs")
SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}

# The folder beside the repository that held the working notes, by a relative and by an absolute path.
# Built from pieces so that this file does not contain what it looks for.
_FOLDER = "shared"
OUTSIDE = re.compile("(?:" + "|".join(re.escape(p + "/" + _FOLDER) for p in ("..", "/work")) + r")(?![\w.-])")


def _text_files():
    yield ROOT / "README.md"
    for top in WALKED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
                yield path


def test_nothing_points_to_the_folder_outside_the_repository():
    found = []
    for path in _text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # figures and other binary files
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "a path outside the repository (cite docs/ instead):\n" + "\n".join(found)


# -- the article's quotes -------------------------------------------------------------------------------
#
# A citation of the article is a ``Source(field, value, "the article, section N", says)`` call in sim/.
# What is checked of ``says``, honestly:
# - whitespace is normalised on both sides (the article's code is indented and broken over lines);
# - a trailing remark in parentheses after the quote's last ``;``, such as "(nothing remembered: no used
#   token to detect)", is the project's comment on the code, not code, and is left out;
# - ``...`` or ``…`` marks code left out of the quote: the pieces around it must occur in that order.
# Everything else must be literal code of the article, in a code listing of the section the citation names
# (docs/article.md keeps the article's own section numbers in its headings, and its listings verbatim); the
# page's prose, translations and notes are not searched, so a quote cannot match the page's own comments.

CITATION = re.compile(r"the article, section (\d+(?:\.\d+)*)$")
REMARK = re.compile(r"(?<=;)\s+\([a-z][^(){};]*\)$")
ELLIPSIS = re.compile(r"\.\.\.|…")
HEADING = re.compile(r"^(#{1,6})\s+(?:(\d+(?:\.\d+)*)\.?\s)?")


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _article_citations() -> list[tuple[str, int, str, str, str]]:
    """(file, line, field, section, says) of every Source(...) in sim/ that cites the article."""
    found = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "the article, section" not in text:
            continue
        name = str(path.relative_to(ROOT))
        calls = [
            node
            for node in ast.walk(ast.parse(text, filename=name))
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "Source"
        ]
        parsed = 0
        for call in calls:
            args = [arg.value if isinstance(arg, ast.Constant) else None for arg in call.args]
            if len(args) == 4 and isinstance(args[2], str) and (match := CITATION.match(args[2])):
                found.append((name, call.lineno, args[0], match.group(1), args[3]))
                parsed += 1
        # a citation written some other way (a helper, an f-string) would escape the check: say so
        assert parsed == text.count("the article, section"), f"{name}: an article citation not in Source(...)"
    return found


def _sections(markdown: str) -> dict[str, str]:
    """The code listings under each numbered heading of docs/article.md, its subsections' included."""
    headings, code, fenced = [], [], False  # headings: (level, number or None, index into code)
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            code.append("")  # no quote runs from one listing into the next
        elif fenced:
            code.append(line)
        elif match := HEADING.match(line):
            headings.append((len(match.group(1)), match.group(2), len(code)))
    sections = {}
    for position, (level, number, start) in enumerate(headings):
        if number:  # a section ends at the next heading of its level or above
            end = next((at for depth, _, at in headings[position + 1 :] if depth <= level), len(code))
            sections[number] = "\n".join(code[start:end])
    return sections


def _occurs(says: str, text: str) -> bool:
    pieces = [_normalised(piece) for piece in ELLIPSIS.split(REMARK.sub("", says))]
    text, at = _normalised(text), 0
    for piece in filter(None, pieces):
        at = text.find(piece, at)
        if at < 0:
            return False
        at += len(piece)
    return True


CITATIONS = _article_citations()


def test_sim_cites_the_article():
    assert CITATIONS, "no 'the article, section N' citation found in sim/: has the Source format changed?"


@pytest.mark.parametrize(
    "name, line, field, section, says",
    [pytest.param(*citation, id=f"{citation[0]}:{citation[1]}:{citation[2]}") for citation in CITATIONS],
)
def test_each_quote_of_the_article_is_in_its_section(name, line, field, section, says):
    sections = _sections(ARTICLE.read_text(encoding="utf-8"))
    assert section in sections, f"{name}:{line}: docs/article.md has no section {section}"
    elsewhere = [number for number, text in sections.items() if number != section and _occurs(says, text)]
    assert _occurs(says, sections[section]), (
        f"{name}:{line}: {field}'s quote {says!r} is not in section {section} of docs/article.md"
        + (f" (it is in section {', '.join(elsewhere)})" if elsewhere else "")
    )
