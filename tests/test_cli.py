"""The command line: outputs people read, and one clear line for every mistake."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import ConfigError
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
        (["run", "--strategy", "magic"], "error: client = 'magic': must be one of naive, locked, queued, axios-"),
        (["run", "--single-flight", "global"], "error: single_flight = 'global': must be one of none, tab"),
        (["run", "--max-retries", "-1"], "error: max_retries = -1: must be a whole number from 0 to 100"),
        (["run", "--max-retries", "101"], "error: max_retries = 101: must be a whole number from 0 to 100"),
        (["run", "--max-retries", "1.5"], "error: max_retries = 1.5: must be a whole number from 0 to 100"),
        (["run", "--hold-while-refreshing=yes"], "error: argument --hold-while-refreshing/--no-hold-while-refre"),
        (["compare", "--strategy", "naive"], "error: unrecognized arguments: --strategy naive"),
        (
            ["compare", "--strategies", "naive,magic"],
            "error: clients = 'magic': must be a comma-separated list drawn from naive, locked, queued, axios-auth-",
        ),
        (["run", "--workload", "flood"], "error: kind = 'flood': must be one of burst, steady, trace"),
        (["run", "--users", "0"], "error: users = 0: must be a whole number >= 1"),
        (["run", "--api-capacity", "-1"], "error: api_capacity = -1: must be a whole number of workers"),
        (["run", "--workload", "trace"], "error: arrivals = None: the trace workload needs a CSV file"),
        (["run", "--concurrency", "many"], "error: argument --concurrency: invalid number value: 'many'"),
        (["run", "--scenario", "no/such.toml"], "error: scenario = 'no/such.toml': no such file"),
        (["bench", "--requests", "10"], "error: requests = 10: must be a whole number from 1000 to 10000000"),
        (["compare", "--replications", "0"], "error: replications = 0: must be a whole number >= 1"),
        (["compare", "--jobs", "-1"], "error: jobs = -1: must be a whole number >= 0 (0: one process per CPU)"),
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
        ("strategies = ['naive', 'psychic']\n", "strategies = ['naive', 'psychic']: must be a list of named clients"),
        ("[workload]\nkind = 'trace'\narrivals = 'missing.csv'\n", "no such file"),
        ("[client]\nsingle_flight = 'browser'\n", "[client] single_flight = 'browser': must be one of none, tab"),
        ("[client]\nhold_while_refreshing = 'yes'\n", "[client] hold_while_refreshing = 'yes': must be true or false"),
        ("[client]\nlate_401_check = 1\n", "[client] late_401_check = 1: must be true or false"),
        ("[client]\nmax_retries = 500\n", "[client] max_retries = 500: must be a whole number from 0 to 100"),
        ("[client]\nmax_retry = 3\n", "[client] max_retry = 3: unknown key; allowed: strategy, library, name, single"),
        ("[client]\nrelogin_after_s = 5\n", "[client] relogin_after_s = 5: is a key of [workload] now"),
        ("record_calls = 'no'\n", "record_calls = 'no': must be true or false"),
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


def test_bench_prints_its_figures(capsys, monkeypatch):
    import sim.bench
    import sim.explore

    monkeypatch.setattr(
        sim.bench, "reference_scenario", lambda requests, api_capacity=0, users=1000: small(api_capacity)
    )
    monkeypatch.setattr(sim.explore, "ARTICLE_FILE", ROOT / "scenarios/burst.toml")  # quick stand-ins
    status, out, _ = run_cli(capsys, "bench", "--requests", "2000", "--json")
    report = json.loads(out)
    assert status == 0
    for part in ("unbounded_api", "bounded_api"):
        assert report[part]["floor_requests"] == report[part]["requests"] > 100  # the same arrivals
        assert report[part]["ratio"] > 0
    assert report["bounded_api"]["api_capacity"] == sim.bench.BOUNDED_API_WORKERS
    bff = report["bff"]  # the same small workload through a BFF, in a process of its own
    assert bff["requests"] == report["unbounded_api"]["requests"] and bff["logouts"] == 0
    assert bff["ratio_to_spa"] > 0 and bff["peak_rss_mb"] > 0 and bff["estimate_s"] > 0
    notebooks = {path.stem for path in (ROOT / "notebooks").glob("*.ipynb")} - {"00-index"}  # and the playground
    assert set(report["slider_default_run_s"]) == notebooks
    assert report["article_compare_wall_s"] > 0 and report["article_compare_parallel_wall_s"] > 0
    assert report["peak_rss_mb"] > 0
    text = sim.bench.format_report(report)
    assert "ratio to floor" in text and "07-sensitivity" in text
    assert "BFF, 20 sessions on 4 instances" in text and "x the rate of the unbounded API's model" in text
    assert "within the estimate: " in text


@pytest.mark.parametrize(("took_s", "verdict"), [(37.4, "yes"), (52.0, "NO")])
def test_the_bench_report_says_whether_the_bff_run_kept_within_its_estimate(took_s, verdict):
    from sim.bench import bff_lines

    bff = {"sessions": 10_000, "instances": 4, "requests": 997_665, "model_wall_s": took_s,
           "model_requests_per_s": round(997_665 / took_s), "refresh_calls": 14_996, "reuse_detected": 0,
           "logouts": 0, "spa_users": 1000, "ratio_to_spa": 0.25, "peak_rss_mb": 419.0, "estimate_s": 47.5,
           "estimate_mb": 320.0}  # fmt: skip
    lines = bff_lines(bff)
    assert lines[0].startswith("BFF, 10,000 sessions on 4 instances")
    assert lines[-1].endswith(f"the run took {took_s:.2f} s: within the estimate: {verdict}")


def small(api_capacity):
    """A bench workload of a few hundred requests, so the test is quick."""
    from sim.bench import BOUNDED_API_WORKERS, Scenario, Workload

    workload = Workload(kind="steady", users=20, concurrency=5, page_rate_per_s=0.1, duration_s=300)
    return Scenario(workload=workload).with_(strategy="queued", api_capacity=api_capacity and BOUNDED_API_WORKERS)


def test_compare_in_several_processes_gives_the_same_runs(capsys):
    argv = ["compare", "--workload", "steady", "--users", "5", "--duration", "600", "--json"]
    _, one_by_one, _ = run_cli(capsys, *argv, "--jobs", "1")
    _, at_once, _ = run_cli(capsys, *argv, "--jobs", "3")
    strip = lambda text: [{k: v for k, v in row.items() if k != "wall_time_s"} for row in json.loads(text)]  # noqa: E731
    assert strip(one_by_one) == strip(at_once)


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
    assert lines[0] == "scenario: command line with concurrency=4, seeds 1..3, burst workload"
    refresh_row = next(line for line in lines if line.startswith("refresh_calls "))
    # a burst is deterministic: every seed gives the same count, so the half-width is 0
    assert refresh_row.split()[1:] == ["4", "±", "0", "1", "±", "0"]


def test_replications_json_and_saved_runs(capsys, tmp_path):
    argv = ["compare", "--workload", "steady", "--users", "5", "--duration", "1200", "--page-rate", "0.2"]
    status, out, _ = run_cli(capsys, *argv, "--replications", "4", "--json", "--save", str(tmp_path))
    rows = json.loads(out)
    runs = (tmp_path / "replications.csv").read_text().splitlines()
    assert status == 0
    assert [row["strategy"] for row in rows] == ["naive", "locked", "queued"]
    assert all(row["requests_ci"] > 0 for row in rows)  # seeds differ in their arrivals
    assert len(runs) == 1 + 3 * 4


def test_a_policy_flag_overrides_its_preset(capsys):
    """``--strategy locked --hold-while-refreshing`` is ``queued``, field for field and number for number."""
    argv = ["--workload", "trace", "--arrivals", str(ROOT / "scenarios/traces/three-users.csv"), "--json"]
    _, out, _ = run_cli(capsys, "run", "--strategy", "locked", "--hold-while-refreshing", *argv)
    _, queued, _ = run_cli(capsys, "run", "--strategy", "queued", *argv)
    mixed, queued = json.loads(out), json.loads(queued)
    assert mixed.pop("strategy") == "locked+hold_while_refreshing=true"
    assert queued.pop("strategy") == "queued"
    for summary in (mixed, queued):
        summary.pop("wall_time_s")
    assert mixed == queued


def test_a_scenario_file_sets_policy_fields_and_flags_override_them(capsys, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[client]\nstrategy = 'locked'\nlate_401_check = false\nmax_retries = 3\n")
    _, out, _ = run_cli(capsys, "run", "--scenario", str(path), "--json")
    summary = json.loads(out)
    assert summary["strategy"] == "locked+late_401_check=false+max_retries=3"
    assert (summary["single_flight"], summary["late_401_check"], summary["max_retries"]) == ("tab", False, 3)
    _, out, _ = run_cli(capsys, "run", "--scenario", str(path), "--max-retries", "1", "--json")
    assert json.loads(out)["strategy"] == "locked+late_401_check=false"


def test_tables_name_each_client_and_list_its_policy_fields(capsys):
    status, out, _ = run_cli(capsys, "compare", "--concurrency", "3", "--max-retries", "2")
    lines = out.splitlines()
    assert status == 0
    assert lines[1].split() == ["naive+max_retries=2", "locked+max_retries=2", "queued+max_retries=2"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["single_flight"] == ["none", "tab", "tab"]
    assert rows["hold_while_refreshing"] == ["false", "false", "true"]
    assert rows["late_401_check"] == ["false", "true", "true"]
    assert rows["max_retries"] == ["2", "2", "2"]


def test_help_explains_every_policy_field(capsys):
    from sim.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    flags = [
        "--client NAME, --strategy NAME, --library NAME",
        "--single-flight {none,tab,lock}",
        "--storage {local,cookie,tab}",
        "--hold-while-refreshing, --no-hold-while-refreshing",
        "--late-401-check, --no-late-401-check",
        "--max-retries MAX_RETRIES",
        "--cross-tab-lock, --no-cross-tab-lock",
        "--timer-tick TIMER_TICK_S proactive timer: how often the timer checks the clock, s (default: the named "
        "client's; 5 when the mode is chosen)",
        "--margin MARGIN_S proactive on-use, timer, background: refresh this long before expiry, s (default: the "
        "named client's; 60 when the mode is chosen)",
        "--max-retries MAX_RETRIES refresh-and-retry rounds per request, 0 to 100: 1 is the article's _retry flag, 0 "
        "never refreshes (default: the named client's; naive: 1)",
    ]
    for flag in flags:
        assert flag in text, flag
    assert "queued strategy locked, and new requests held while a refresh is in flight" in text  # the table
    assert "auth0-spa-js library auth0-spa-js 2.24.1, useRefreshTokens: true" in text
    assert "named clients (--client NAME; --strategy and --library say the same):" in text


def test_a_bare_command_prints_its_usage(capsys):
    status, out, err = run_cli(capsys)
    assert status == 0 and err == ""
    assert out.startswith("usage: python -m sim") and "{run,compare,sweep,libraries,capacity,bench,figures}" in out


def test_the_header_names_what_the_flags_changed(capsys):
    _, out, _ = run_cli(capsys, "compare", "--scenario", str(ROOT / "scenarios/burst.toml"), "--concurrency", "3")
    assert out.splitlines()[0] == "scenario: burst with concurrency=3, seed 1, burst workload"


def test_a_run_with_no_requests_says_why(capsys):
    status, _, err = run_cli(capsys, "run", "--workload", "steady", "--users", "2", "--duration", "1")
    assert status == 0
    assert err.startswith("warning: naive made no requests: users log in over the first 900 s")
    assert "duration_s = 1 ended first" in err


def test_progress_hears_of_every_request():
    from sim import Scenario, Workload, run
    from sim.experiment import PROGRESS_EVERY

    heard = []
    workload = Workload(kind="steady", users=40, concurrency=5, page_rate_per_s=0.5, duration_s=1200)
    result = run(Scenario(workload=workload), progress=heard.append)
    assert sum(heard) == result.summary["requests"] > 2 * PROGRESS_EVERY
    assert heard[:-1] == [PROGRESS_EVERY] * (len(heard) - 1)


def test_libraries_prints_one_table_per_cell_and_saves_the_matrix(capsys, tmp_path):
    status, out, _ = run_cli(capsys, "libraries", "--libraries", "article", "--jobs", "1", "--save", str(tmp_path))
    assert status == 0
    assert out.startswith("server: article, seed 1; situations:")
    for title in ("refresh calls per user", "requests that did not end 200", "users sent to the login page"):
        assert title in out
    burst = [line for line in out.splitlines() if line.startswith("article")][0].split()
    assert burst[1] == "50.0"  # the article's interceptor: one refresh per request of the burst
    saved = pd.read_csv(tmp_path / "library_matrix.csv")
    assert list(saved["situation"]) == ["burst", "tabs", "rush", "outage", "skew"]


def test_compare_runs_library_presets_side_by_side(capsys):
    status, out, _ = run_cli(capsys, "compare", "--library", "article", "--concurrency", "3")
    assert status == 0 and out.splitlines()[1].split() == ["article"]


def test_compare_runs_the_library_a_scenario_file_names(capsys, tmp_path):
    path = tmp_path / "lib.toml"
    path.write_text('[client]\nlibrary = "axios-auth-refresh-5"\n[workload]\nkind = "burst"\nconcurrency = 10\n')
    status, out, _ = run_cli(capsys, "compare", "--scenario", str(path))
    assert status == 0 and out.splitlines()[1].split() == ["axios-auth-refresh-5"]
    assert "requests_failed                           9" in out  # deduplicateRefresh: 9 of 10 fail


# -- scenarios installed with the package: a bare name finds them from any folder ----------------------


def test_a_bare_name_is_the_scenario_installed_with_sim(capsys, tmp_path, monkeypatch):
    import sim
    from sim.scenario_file import SCENARIOS_DIR, packaged_path

    assert Path(sim.__file__).resolve().parent / "scenarios" == SCENARIOS_DIR  # inside the package
    assert packaged_path("article") == SCENARIOS_DIR / "article.toml"
    assert packaged_path("tiny", "sweeps") == SCENARIOS_DIR / "sweeps" / "tiny.toml"
    assert packaged_path("scenarios/article.toml") == Path("scenarios/article.toml")  # a path stays a path
    _, by_path, _ = run_cli(capsys, "compare", "--scenario", str(ROOT / "scenarios/burst.toml"), "--json")
    monkeypatch.chdir(tmp_path)  # far from the repository
    status, by_name, _ = run_cli(capsys, "compare", "--scenario", "burst", "--json")
    unclocked = [
        [{k: v for k, v in row.items() if k != "wall_time_s"} for row in json.loads(out)] for out in (by_path, by_name)
    ]
    assert status == 0 and unclocked[0] == unclocked[1] and len(unclocked[0]) == 3
    (tmp_path / "burst").write_text('name = "mine"\n')  # a file of that name here is read instead
    assert packaged_path("burst") == Path("burst")


def test_a_bare_name_sim_does_not_come_with_names_the_ones_it_does(capsys, tmp_path, monkeypatch):
    from sim.sweep import load_sweep

    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(capsys, "run", "--scenario", "artcle")
    assert status == 2 and out == ""
    assert err.startswith("error: scenario = 'artcle': no such file, and sim comes with none of that name (")
    assert "article, bff, burst, capacity-day, herd" in err
    assert load_sweep("tiny").name == "tiny"
    with pytest.raises(ConfigError, match="sweep = 'tny'.*architect, capacity, tiny"):
        load_sweep("tny")


def test_every_scenario_file_is_declared_package_data():
    """What pip installs: each file under sim/scenarios matches a package-data pattern of pyproject.toml."""
    import tomllib
    from pathlib import PurePosixPath

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sim"]
    files = [p.relative_to(ROOT / "sim") for p in (ROOT / "sim/scenarios").rglob("*") if p.is_file()]
    assert len(files) >= 12
    # a pattern's * stays within one folder, as setuptools' globs do
    assert [f for f in files if not any(PurePosixPath(f.as_posix()).match(pattern) for pattern in patterns)] == []
    assert (ROOT / "scenarios").resolve() == (ROOT / "sim/scenarios").resolve()  # the README's paths still work


def test_json_floats_carry_no_float_noise(capsys):
    """A reported float has at most 9 significant digits (once ``0.07999999999992724``; issue 26), and every
    digit the table shows."""
    status, out, _ = run_cli(capsys, "run", "--auth-outage", "1:2", "--json")
    summary = json.loads(out)
    floats = {key: value for key, value in summary.items() if isinstance(value, float)}
    assert status == 0 and floats
    assert all(len(repr(value).lstrip("-0.").replace(".", "").split("e")[0]) <= 9 for value in floats.values()), floats
    assert summary["latency_p95_s"] == 0.322 and summary["refresh_latency_p99_s"] == 0.11
