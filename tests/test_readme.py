"""The numbers the README quotes are the numbers its main command prints."""

import re
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


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
    quoted = quoted_table((ROOT / "README.md").read_text())
    # wall time is the machine's, not the model's: compare every other line exactly
    assert [line for line in printed if not line.startswith("wall_time_s")] == [
        line for line in quoted if not line.startswith("wall_time_s")
    ]
