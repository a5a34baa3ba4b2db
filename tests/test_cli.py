"""The command line: outputs people read, and one clear line for every mistake."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.metrics import SUMMARY_KEYS

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_run_json_has_every_summary_key(capsys):
    status, out, _ = run_cli(capsys, "run", "--strategy", "locked", "--concurrency", "4", "--json")
    summary = json.loads(out)
    assert status == 0
    assert tuple(summary) == SUMMARY_KEYS
    assert summary["strategy"] == "locked"
    assert summary["refresh_calls"] == 1


def test_compare_json_is_a_list_with_one_seed(capsys):
    status, out, _ = run_cli(capsys, "compare", "--strategies", "naive,queued", "--concurrency", "6", "--json")
    rows = json.loads(out)
    assert status == 0
    assert [row["strategy"] for row in rows] == ["naive", "queued"]
    assert [row["refresh_calls"] for row in rows] == [6, 1]
    assert {row["seed"] for row in rows} == {1}


def test_compare_table_puts_strategies_across(capsys):
    status, out, _ = run_cli(capsys, "compare", "--scenario", str(ROOT / "scenarios/burst.toml"))
    lines = out.splitlines()
    assert status == 0
    assert lines[1].split() == ["naive", "locked", "queued"]
    refresh_row = next(line for line in lines if line.startswith("refresh_calls "))
    assert refresh_row.split()[1:] == ["8", "1", "1"]


def test_flags_override_the_scenario_file(capsys):
    scenario = str(ROOT / "scenarios/burst.toml")
    _, out, _ = run_cli(capsys, "run", "--scenario", scenario, "--concurrency", "3", "--json")
    assert json.loads(out)["requests"] == 3


def test_every_shipped_scenario_loads():
    from sim.scenario_file import load_scenario

    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario, strategies = load_scenario(path)
        assert scenario.name == path.stem
        assert strategies


def test_article_scenario_has_the_articles_lifetimes():
    from sim.scenario_file import load_scenario

    scenario, _ = load_scenario(ROOT / "scenarios/article.toml")
    assert (scenario.tokens.access_ttl_s, scenario.tokens.refresh_ttl_s) == (15 * 60, 7 * 24 * 3600)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--access-ttl", "-5"], "error: access_ttl_s = -5: must be a whole number of seconds >= 1"),
        (["run", "--access-ttl", "2.5"], "error: access_ttl_s = 2.5: must be a whole number of seconds >= 1"),
        (["run", "--rtt", "-0.1"], "error: rtt_s = -0.1: must be a number of seconds >= 0"),
        (["run", "--strategy", "magic"], "error: argument --strategy: invalid choice: 'magic'"),
        (["compare", "--strategies", "naive,magic"], "error: strategies = 'magic': must be drawn from naive"),
        (["run", "--workload", "flood"], "error: kind = 'flood': must be one of burst, steady, trace"),
        (["run", "--users", "0"], "error: users = 0: must be a whole number >= 1"),
        (["run", "--api-capacity", "-1"], "error: api_capacity = -1: must be a whole number of workers"),
        (["run", "--workload", "trace"], "error: arrivals = None: the trace workload needs a CSV file"),
        (["run", "--concurrency", "many"], "error: argument --concurrency: invalid int value: 'many'"),
        (["run", "--scenario", "no/such.toml"], "error: scenario = 'no/such.toml': no such file"),
        (["bench", "--requests", "10"], "error: requests = 10: must be a whole number >= 1000"),
        (["compare", "--replications", "0"], "error: replications = 0: must be a whole number >= 1"),
        ([], "error: the following arguments are required: {run,compare,bench,figures}"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, argv, expected):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seed = [\n", "is not valid TOML"),
        ("[tokens]\nacess_ttl_s = 60\n", "[tokens] acess_ttl_s = 60: unknown key; allowed: access_ttl_s"),
        ("[tokens]\naccess_ttl_s = -1\n", "[tokens] access_ttl_s = -1: must be a whole number"),
        ("[tokens]\naccess_ttl_s = 'soon'\n", "[tokens] access_ttl_s = 'soon': must be a whole number"),
        ("colour = 'blue'\n", "colour = 'blue': unknown key"),
        ("tokens = 3\n", "tokens = 3: must be a [section] of keys"),
        ("strategies = ['naive', 'psychic']\n", "strategies = ['naive', 'psychic']: must be a list drawn from"),
        ("[workload]\nkind = 'trace'\narrivals = 'missing.csv'\n", "no such file"),
    ],
)
def test_bad_scenario_file_names_the_key(capsys, tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    status, _, err = run_cli(capsys, "run", "--scenario", str(path))
    assert status == 2
    assert len(err.splitlines()) == 1
    assert expected in err


def test_bad_trace_file_names_the_line(capsys, tmp_path):
    path = tmp_path / "arrivals.csv"
    path.write_text("time_s,user\n1.0,alice\nsoon,bob\n")
    status, _, err = run_cli(capsys, "run", "--workload", "trace", "--arrivals", str(path))
    assert status == 2
    assert "line 3" in err and "soon,bob" in err


def test_module_entry_point_exits_2_without_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--refresh-ttl", "-1"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: refresh_ttl_s = -1: must be a whole number of seconds >= 1"
    assert "Traceback" not in done.stderr


def test_bench_prints_its_figures(capsys):
    status, out, _ = run_cli(capsys, "bench", "--requests", "2000", "--json")
    report = json.loads(out)
    assert status == 0
    assert report["requests"] > 1000
    assert report["floor_requests"] == report["requests"]  # the same arrivals
    assert report["ratio"] > 0 and report["peak_rss_mb"] > 0


def test_save_writes_records_and_provenance(capsys, tmp_path):
    status, _, _ = run_cli(capsys, "run", "--strategy", "queued", "--concurrency", "3", "--save", str(tmp_path))
    saved = json.loads((tmp_path / "queued-summary.json").read_text())
    requests = (tmp_path / "queued-requests.csv").read_text().splitlines()
    assert status == 0
    assert saved["summary"]["requests"] == 3 and len(requests) == 1 + 3
    assert saved["scenario"]["workload"]["concurrency"] == 3
    assert saved["seed"] == 1 and "PyJWT" in saved["versions"]


def test_replications_print_mean_and_half_width(capsys):
    argv = ["compare", "--strategies", "naive,locked", "--concurrency", "4", "--replications", "3"]
    status, out, _ = run_cli(capsys, *argv)
    lines = out.splitlines()
    assert status == 0
    assert lines[0].startswith("scenario: command line, seeds 1..3")
    refresh_row = next(line for line in lines if line.startswith("refresh_calls "))
    # a burst is deterministic: every seed gives the same count, so the half-width is 0
    assert refresh_row.split()[1:] == ["4.000", "±", "0.000", "1.000", "±", "0.000"]


def test_replications_json_and_saved_runs(capsys, tmp_path):
    argv = ["compare", "--workload", "steady", "--users", "5", "--duration", "1200", "--page-rate", "0.2"]
    status, out, _ = run_cli(capsys, *argv, "--replications", "4", "--json", "--save", str(tmp_path))
    rows = json.loads(out)
    runs = (tmp_path / "replications.csv").read_text().splitlines()
    assert status == 0
    assert [row["strategy"] for row in rows] == ["naive", "locked", "queued"]
    assert all(row["requests_ci"] > 0 for row in rows)  # seeds differ in their arrivals
    assert len(runs) == 1 + 3 * 4
