"""Every notebook runs from a clean kernel, and shows what its committed copy shows.

Each notebook is executed the way `make notebooks` executes it (tools/run_notebooks.py),
then, cell by cell, what a reader sees is compared with the committed copy: all the text
each stream printed, and the rich outputs (text/plain and image/png of every result and
display, widget fallbacks included) in order. The model is deterministic, so a difference
means the committed notebook is stale: a change to the model moved a number or a figure a
student reads. A notebook that does not run to its end is reported as such, not as stale.

How the kernel splits printed text into stream outputs is not compared: ipykernel sends
stdout on a 0.2 s flush timer (ipykernel/iostream.py, OutStream.flush_interval and
_schedule_flush), and a timer armed by a print before a display() still fires after the
flush display() does, so it can land between print's text and its "\\n" and the fresh run
has "...4" and "\\n" where the committed one has "...4\\n" (nbclient keeps one output per
stream message). Joining each stream's text makes the comparison independent of that.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
COMPARED = ("text/plain", "image/png")  # what a reader sees; not widget ids or timings
MAX_DIFF_LINES = 30


def _load_runner():
    spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "tools" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


def shown(cell) -> list[tuple[str, str]]:
    """What a reader sees in one cell: (label, content) for each stream's joined text, then each rich output."""
    streams: dict[str, str] = {}
    rich: list[tuple[str, str]] = []
    for index, output in enumerate(cell.get("outputs", [])):
        if output["output_type"] == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
        elif output["output_type"] == "error":
            rich.append((f"output {index}: error", f"{output['ename']}: {output['evalue']}"))
        else:
            data = output.get("data", {})
            rich.extend((f"{output['output_type']} {kind}", data[kind]) for kind in COMPARED if kind in data)
    return sorted(streams.items()) + rich


def lines(parts: list[tuple[str, str]]) -> list[str]:
    """A cell's outputs as lines for a diff; a figure as its hash and size."""
    rendered = []
    for label, content in parts:
        rendered.append(f"[{label}]\n")
        if label.endswith("image/png"):
            content = f"sha256 {hashlib.sha256(content.encode()).hexdigest()[:16]}, {len(content)} base64 chars\n"
        rendered.extend(content.splitlines(keepends=True))
        if not content.endswith("\n"):
            rendered.append("\n(no newline at the end)\n")
    return rendered


def differences(committed, fresh) -> list[str]:
    """A report for each code cell whose reader-visible outputs differ."""
    reports = []
    for index, (old, new) in enumerate(zip(committed.cells, fresh.cells, strict=True)):
        if old.cell_type != "code" or shown(old) == shown(new):
            continue
        first_line = (old.source.strip().splitlines() or [""])[0]
        diff = list(difflib.unified_diff(lines(shown(old)), lines(shown(new)), "committed", "fresh", n=2))
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)\n"]
        reports.append(f"cell {index} ({first_line!r}):\n{''.join(diff)}")
    return reports


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_matches_its_committed_outputs(path: Path):
    committed = nbformat.read(path, as_version=4)
    try:
        fresh = runner.execute(path)
    except runner.NotebookFailed as error:
        message = f"{path.name} failed to run (this is not a stale notebook: fix the code or the cell):\n{error}"
        pytest.fail(message, pytrace=False)
    reports = differences(committed, fresh)
    if reports:
        pytest.fail(
            f"{path.name}: the committed notebook is stale: run `make notebooks` and review the diff.\n"
            + "\n".join(reports),
            pytrace=False,
        )


# The comparison itself, on made-up cells: a split stream is the same, a changed number is not.


def _cell(*outputs):
    return nbformat.v4.new_code_cell("print(x)", outputs=list(outputs))


def _stdout(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _plain(text):
    return nbformat.v4.new_output("display_data", data={"text/plain": text})


def test_a_stream_split_by_a_flush_is_what_a_reader_sees():
    committed = _cell(_stdout("a\n"), _plain("table"), _stdout("peak: 4\n"))
    fresh = _cell(_stdout("a\n"), _plain("table"), _stdout("peak: 4"), _stdout("\n"))
    assert shown(committed) == shown(fresh)


def test_a_changed_number_or_newline_is_a_difference_and_shows_in_the_diff():
    committed = nbformat.v4.new_notebook(cells=[_cell(_stdout("peak: 4\n"), _plain("16"))])
    for fresh_outputs in (
        (_stdout("peak: 5\n"), _plain("16")),
        (_stdout("peak: 4\n"), _plain("17")),
        (_stdout("peak: 4"), _plain("16")),
        (_stdout("peak: 4\n"), _plain("16"), _plain("16")),
    ):
        fresh = nbformat.v4.new_notebook(cells=[_cell(*fresh_outputs)])
        (report,) = differences(committed, fresh)
        assert report.startswith("cell 0 ('print(x)'):\n--- committed\n+++ fresh\n")
