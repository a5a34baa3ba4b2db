"""Every notebook runs from a clean kernel, and shows what its committed copy shows.

Each notebook is executed with nbclient (a failing cell fails the test), then
its text and image outputs are compared with the committed ones. The model is
deterministic, so any difference means the committed notebook is stale: a
change to the model moved a number or a figure a student reads. Rebuild them
with `make notebooks` and review the change.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
COMPARED = ("text/plain", "image/png")  # widget ids and timings change from run to run; these must not


def shown(notebook) -> list[tuple[int, str, str]]:
    """(cell, kind, content) for every stream, text and image output."""
    rows = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                rows.append((index, output["name"], output["text"]))
            elif "application/vnd.jupyter.widget-view+json" not in output.get("data", {}):
                rows.extend((index, kind, output["data"][kind]) for kind in COMPARED if kind in output.get("data", {}))
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_matches_its_committed_outputs(path: Path):
    committed = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    NotebookClient(
        fresh, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for (cell, kind, old), (_, _, new) in zip(shown(committed), shown(fresh), strict=True):
        assert new == old, f"{path.name} cell {cell} ({kind}) differs from the committed output: run `make notebooks`"
