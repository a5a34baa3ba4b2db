"""The numbers the README and the docs pages quote are the numbers the commands print; the README stays short."""

import re
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def readme_and_docs() -> str:
    """The README and the pages of docs/ it sends readers to, where its longer examples now live: not
    docs/libraries.md (generated from the registry) nor docs/reference/ (notes on real libraries)."""
    pages = [README, *(page for page in sorted((ROOT / "docs").glob("*.md")) if page.name != "libraries.md")]
    return "\n\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_the_readme_is_short_and_its_two_commands_come_first():
    """A newcomer sees what the lab is and the two commands on the first screen; the reference is in docs/."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) < 300, f"README.md has {len(lines)} lines: move the reference to a page of docs/"
    first_screen = "\n".join(lines[:40])
    assert "\nmake compare " in first_screen and "\nmake test " in first_screen


def quoted_table(readme: str) -> list[str]:
    """The lines of the README's `make compare` example, from its first line to the closing fence."""
    match = re.search(r"```\n(scenario: article.*?)\n```", readme, re.DOTALL)
    assert match, "the README shows no `make compare` output"
    return match.group(1).splitlines()


@pytest.mark.slow
def test_readme_table_is_what_make_compare_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["compare", "--scenario", "scenarios/article.toml"]) == 0
    printed = capsys.readouterr().out.splitlines()
    quoted = quoted_table(README.read_text())
    # wall time is the machine's, not the model's: compare every other line exactly
    assert [line for line in printed if not line.startswith("wall_time_s")] == [
        line for line in quoted if not line.startswith("wall_time_s")
    ]


def error_examples(readme: str) -> list[tuple[list[str], str]]:
    """(argv, the error line) for each `$ .venv/bin/python -m sim ...` example followed by `error: ...`."""
    lines = readme.splitlines()
    return [
        (line.split("-m sim ", 1)[1].split(), following)
        for line, following in zip(lines, lines[1:], strict=False)
        if line.startswith("$ .venv/bin/python -m sim ") and following.startswith("error: ")
    ]


def test_readme_error_examples_print_what_it_says(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    examples = error_examples(readme_and_docs())
    assert len(examples) >= 6
    for argv, expected in examples:
        assert main(argv) == 2, argv
        assert capsys.readouterr().err == expected + "\n"


def pins(path: Path) -> dict[str, str]:
    rows = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return dict(row.split("==") for row in rows if row)


def test_the_simulation_needs_a_subset_of_the_pins():
    """`make compare` installs requirements-sim.txt alone: the same versions as requirements.txt."""
    simulation, everything = pins(ROOT / "requirements-sim.txt"), pins(ROOT / "requirements.txt")
    assert simulation.items() <= everything.items()
    assert {"simpy", "PyJWT", "matplotlib"} <= set(simulation) and {"jupyter", "pytest"} <= set(everything)


def command_examples(readme: str) -> list[tuple[list[str], list[str]]]:
    """(argv, printed lines) for each code block that starts with `$ .venv/bin/python -m sim compare ...`."""
    examples = []
    for block in re.findall(r"```\n(\$ \.venv/bin/python -m sim compare [^\n]*)\n(.*?)\n```", readme, re.DOTALL):
        command, output = block
        examples.append((command.split("-m sim ", 1)[1].split(), output.splitlines()))
    return examples


@pytest.mark.slow
def test_readme_command_tables_are_what_the_commands_print(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    examples = command_examples(readme_and_docs())
    assert examples, "the README and docs/ quote no command's table"
    for argv, quoted in examples:
        assert main(argv) == 0
        printed = capsys.readouterr().out.splitlines()
        assert [line for line in printed if not line.startswith("wall_time_s")] == [
            line for line in quoted if not line.startswith("wall_time_s")
        ], argv


@pytest.mark.slow
def test_readme_matrix_is_what_sim_libraries_prints(capsys, monkeypatch):
    """The decision matrix's first two tables, as docs/your-stack.md quotes them."""
    monkeypatch.chdir(ROOT)
    match = re.search(r"```\n(server: article, seed 1; situations:.*?)\n```", readme_and_docs(), re.DOTALL)
    assert match, "the README and docs/ quote no matrix"
    assert main(["libraries"]) == 0
    printed = capsys.readouterr().out.splitlines()
    quoted = match.group(1).splitlines()
    assert printed[: len(quoted)] == quoted
