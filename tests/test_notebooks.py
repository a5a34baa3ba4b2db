"""The notebooks' conventions (STYLE.md): what executing them does not check.

test_notebook_outputs.py executes every notebook; these checks read the committed files only, so
they take well under a second: names, the opening and closing cells, imports,
and that the notebooks are committed with their outputs (`make notebooks`).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# What a notebook may import besides `sim`: display, widgets, PyJWT for reading claims, and
# tempfile for a trace file a notebook writes for one run (03: a mixed policy on a tiny burst).
ALLOWED_IMPORTS = {"sim", "pandas", "ipywidgets", "jwt", "inspect", "datetime", "tempfile"}


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_series_is_there():
    assert [p.stem[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(len(NOTEBOOKS))]
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_name_is_nn_verb_phrase(path: Path):
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", path.stem)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opens_with_what_it_covers(path: Path):
    first = cells(path)[0]
    assert first["cell_type"] == "markdown" and source(first).startswith("# ")
    if path.stem != "00-index":
        for part in ("What this covers", "The scenario", "Learning goals"):
            assert part in source(first), f"{path.name}: opening cell lacks {part!r}"


def headed(all_cells: list[dict], heading: str) -> int:
    """The index of the one markdown cell that opens with ``heading``."""
    found = [i for i, c in enumerate(all_cells) if c["cell_type"] == "markdown" and source(c).startswith(heading)]
    assert len(found) == 1, f"{len(found)} cells open with {heading!r}"
    return found[0]


def hidden(cell: dict) -> bool:
    """Folded in JupyterLab and Notebook 7 (source, and a code cell's output, collapsed), tagged for the site."""
    folded = cell["metadata"].get("jupyter", {})
    outputs_folded = cell["cell_type"] != "code" or folded.get("outputs_hidden") is True
    return folded.get("source_hidden") is True and outputs_folded and "solution" in cell["metadata"].get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_ends_with_a_summary_exercises_and_a_hidden_worked_solution_to_each(path: Path):
    """... ## Summary, ## Exercises (a numbered list), ## Solutions, then per exercise a folded ### Solution N."""
    all_cells = cells(path)
    summary, exercises, solutions = (headed(all_cells, h) for h in ("## Summary", "## Exercises", "## Solutions"))
    assert summary < exercises == solutions - 1, f"{path.name}: Summary, then Exercises, then Solutions"
    assert exercises > len(all_cells) // 2, f"{path.name}: the summary and exercises close the notebook"
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", source(all_cells[exercises]), re.MULTILINE)]
    assert numbers and numbers == list(range(1, len(numbers) + 1)), f"{path.name}: exercises numbered 1, 2, ..."
    answers = all_cells[solutions + 1 :]
    assert all(hidden(cell) for cell in answers), f"{path.name}: every cell after ## Solutions folded and tagged"
    heads = [int(m[1]) for c in answers if (m := re.match(r"### Solution (\d+)\b", source(c)))]
    assert heads == numbers, f"{path.name}: a '### Solution N' for each exercise, in order (found {heads})"
    assert answers[0]["cell_type"] == "markdown" and re.match(r"### Solution 1\b", source(answers[0]))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_imports_only_from_sim_and_defines_no_model(path: Path):
    for cell in cells(path):
        if cell["cell_type"] != "code":
            continue
        code = "\n".join(line for line in source(cell).splitlines() if not line.startswith("%"))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                assert not isinstance(node, ast.ClassDef), f"{path.name}: model code (a class) in a notebook"
                continue
            assert roots <= ALLOWED_IMPORTS, f"{path.name}: imports {roots - ALLOWED_IMPORTS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs(path: Path):
    code_cells = [cell for cell in cells(path) if cell["cell_type"] == "code"]
    assert all(cell["execution_count"] is not None for cell in code_cells), f"run `make notebooks` for {path.name}"
    outputs = [output for cell in code_cells for output in cell["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"], f"{path.name} was committed with an error"


# What `make notebooks` (tools/run_notebooks.py) leaves out or makes stable, so that re-running
# an unchanged notebook changes no byte of it; Jupyter's own Save writes all of it back.
TIMING_KEYS = ("execution", "ExecuteTime")  # nbclient/nbconvert timestamps; the execute-time extension
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_model_id(stem: str, cell_index: int, output_index: int) -> str:
    """The same form as tools/run_notebooks.py's widget_model_id (not imported: nbclient is slow to import)."""
    return f"{stem}-cell{cell_index}-output{output_index}"


def volatile(path: Path) -> list[str]:
    """What in a committed notebook changes from one run to the next."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = ["widget state in the notebook's metadata"] if "widgets" in notebook["metadata"] else []
    code_cells = [(index, cell) for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for _, cell in code_cells]
    if counts != list(range(1, len(counts) + 1)):
        found.append(f"execution counts {counts}, not 1, 2, 3... from a clean kernel")
    for index, cell in enumerate(notebook["cells"]):
        found += [f"cell {index}: timing metadata {key!r}" for key in TIMING_KEYS if key in cell["metadata"]]
        outputs = cell.get("outputs", [])
        for number, output in enumerate(outputs):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None and view.get("model_id") != widget_model_id(path.stem, index, number):
                found.append(f"cell {index}: widget model id {view.get('model_id')!r} from a live kernel")
            previous = outputs[number - 1] if number else {}
            if output["output_type"] == previous.get("output_type") == "stream" and output["name"] == previous["name"]:
                found.append(f"cell {index}: {output['name']} split in two outputs by a flush")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_volatile_metadata(path: Path):
    found = volatile(path)
    shown = "; ".join(found[:4]) + (f"; and {len(found) - 4} more" if len(found) > 4 else "")
    assert not found, (
        f"{path.name} carries what changes from run to run (saved from Jupyter?): {shown}. "
        "Run `make notebooks` (tools/run_notebooks.py), which writes it without, and commit the result."
    )


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem[:2] >= "02"], ids=lambda p: p.stem)
def test_shows_what_the_article_says_apart_from_what_the_lab_assumes(path: Path):
    code = [source(cell) for cell in cells(path) if cell["cell_type"] == "code"]
    assert any("assumptions_table(" in text for text in code), f"{path.name}: show sim.assumptions_table(...)"
