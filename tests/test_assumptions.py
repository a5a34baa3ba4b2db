"""The table that keeps what the article says apart from what the lab assumes."""

from dataclasses import replace
from pathlib import Path

import pytest

from sim import Scenario, Workload, assumptions_table
from sim.assumptions import ASSUMPTIONS, SILENT
from sim.scenario_file import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_values_are_read_from_the_scenario_not_written_down():
    table = assumptions_table(Scenario().with_(rtt_s=0.25, auth_capacity=3))
    assert table.loc["round trip to a server", "value"] == "250 ms"
    assert table.loc["auth server workers", "value"] == "3 workers"


def test_the_article_scenario_keeps_the_articles_numbers_and_assumes_the_rest():
    article, _ = load_scenario(ROOT / "scenarios/article.toml")
    table = assumptions_table(article)
    assert table.loc["access token lifetime", ["value", "from"]].tolist() == ["900 s (15 min)", "article"]
    assert table.loc["refresh token lifetime", ["value", "from"]].tolist() == ["604800 s (7 days)", "article"]
    assert table.loc["auth server workers", ["value", "from"]].tolist() == ["8 workers", "assumed"]
    assert table.loc["pages per second per user", "value"] == "0.05 (one page every 20 s)"
    assert table.loc["how long users stay", "value"] == "7200 s (2 h)"
    assumed = table[table["from"] == "assumed"]
    assert (assumed["the article says"] != "").all()
    assert set(table.loc[table["from"] == "article"].index) == {
        "access token lifetime",
        "refresh token lifetime",
        "refresh token rotation",
        "server leeway on exp",
    }


def test_a_changed_article_number_says_so():
    table = assumptions_table(Scenario().with_(access_ttl_s=240))
    assert table.loc["access token lifetime", ["value", "from"]].tolist() == ["240 s (4 min)", "changed"]


@pytest.mark.parametrize(
    ("workload", "shown", "hidden"),
    [
        (Workload(kind="burst"), {"users", "API calls per page"}, {"pages per second per user", "how long users stay"}),
        (Workload(kind="steady"), {"pages per second per user", "when users log in"}, set()),
    ],
)
def test_only_the_workload_rows_the_kind_uses(workload, shown, hidden):
    table = assumptions_table(replace(Scenario(), workload=workload))
    assert shown <= set(table.index) and not hidden & set(table.index)


def test_silence_is_said_and_every_row_has_a_reason():
    for assumption in ASSUMPTIONS:
        assert assumption.why and assumption.article
        assert (assumption.article == SILENT) == (assumption.article_value is None) or assumption.field in {
            "kind",
            "concurrency",
        }


def test_the_docs_show_the_article_scenarios_table():
    """The README's `make compare` table links to its assumptions, in docs/compare-table.md."""
    page = (ROOT / "docs" / "compare-table.md").read_text(encoding="utf-8")
    assert "docs/compare-table.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    article, _ = load_scenario(ROOT / "scenarios/article.toml")
    for topic, row in assumptions_table(article).iterrows():
        assert f"| {topic} | {row['value']} | {row['from']} |" in page, topic
