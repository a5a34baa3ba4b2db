"""The capacity model (sim.capacity): closed forms, exact small cases, directions, the command line,
and the model against the simulation at a thousand users."""

import importlib
import json
import math

import numpy as np
import pytest

from sim import Scenario
from sim.capacity import CapacitySettings, capacity, erlang_c, fluid_backlog, grid, queue, refresh_cycle
from sim.capacity.check import TOLERANCE, Case, check_case
from sim.cli import main
from sim.fields import ConfigError

PROBE = importlib.import_module("sim.capacity.amplification")  # the module (the package's name is its function)


@pytest.fixture(autouse=True)
def small_probes(request, monkeypatch):
    """Fast tests measure amplification on 100 users instead of 500 (the means they check are exact at 1)."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(PROBE, "USERS", 100)


def steady(**changes):
    return Scenario(name="test").with_(kind="steady", **changes)


# -- closed forms ------------------------------------------------------------------


def test_erlang_c_is_the_textbook_value():
    # two servers, one erlang: 1/3; three servers, two erlangs: 4/9 (e.g. Kleinrock, Queueing Systems I)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: the chance to wait is the utilisation
    assert erlang_c(4, 4.0) == 1.0  # saturated


def test_the_m_m_1_p95_wait_is_its_closed_form():
    # P(W > t) = rho exp(-(mu - lam) t): p95 = ln(rho / 0.05) / (mu - lam)
    lam, service_s = 8.0, 0.1
    calls = np.full(100, lam)
    wait = queue.p95_wait_s(calls, np.zeros(100), queue.Server(1, service_s), 1.0, (0.0, 1.0))
    assert wait == pytest.approx(math.log(0.8 / 0.05) / (10 - lam), rel=1e-3)


def test_fixed_service_halves_the_wait():
    calls = np.full(50, 15.0)
    exponential = queue.p95_wait_s(calls, np.zeros(50), queue.Server(2, 0.1), 1.0, (0.0, 1.0))
    fixed = queue.p95_wait_s(calls, np.zeros(50), queue.Server(2, 0.1, exponential=False), 1.0, (0.0, 1.0))
    assert fixed == pytest.approx(exponential / 2, rel=1e-3)


def test_the_exact_batch_queue_with_batches_of_one_is_erlang_c():
    ahead = queue._exact_ahead(np.array([0.75]), np.array([1.0]), 4, np.array([0.0, 1.0]))
    assert 1 - ahead[0] == pytest.approx(erlang_c(4, 3.0), rel=1e-4)


def test_batches_wait_longer_than_single_calls_at_the_same_load():
    calls = np.full(50, 20.0)
    single = queue.p95_wait_s(calls, np.zeros(50), queue.Server(6, 0.25), 1.0, (0.0, 1.0))
    threes = queue.p95_wait_s(calls, np.zeros(50), queue.Server(6, 0.25), 1.0, (0.0, 0.0, 0.0, 1.0))
    assert threes > single > 0


def test_the_uniform_steady_state_is_holders_times_amplification_over_the_cycle():
    scenario = steady(client="naive", users=1000, duration_s=20_000, access_ttl_s=300)
    result = capacity(scenario)
    late = result.refresh_per_s[result.time_s > 10_000].mean()
    expected = 1000 * result.amplification.calls_per_expiry / result.cycle.mean_s
    assert result.answers["steady_refresh_per_s"] == pytest.approx(expected)
    assert late == pytest.approx(expected, rel=1e-3)


# -- exact small cases ---------------------------------------------------------------


def test_the_fluid_backlog_of_a_short_overload():
    backlog = fluid_backlog(np.array([5.0, 5.0, 0.0, 0.0, 0.0]), 3.0, 1.0)
    assert backlog.waiting.tolist() == [2.0, 4.0, 1.0, 0.0, 0.0]
    assert (backlog.peak, backlog.drain_s) == (4.0, 2.0)
    assert math.isinf(fluid_backlog(np.array([5.0, 5.0]), 3.0, 1.0).drain_s)  # never clears before the end


def test_the_grid_keeps_means():
    assert grid.mean_s(grid.exponential(0.05, 1.0), 1.0) == pytest.approx(20.0, rel=1e-6)
    assert grid.mean_s(grid.uniform(7.0, 1.0), 1.0) == pytest.approx(3.5)
    assert grid.mean_s(grid.point(2.3, 1.0), 1.0) == pytest.approx(2.3)
    both = grid.convolve(grid.exponential(0.05, 1.0), grid.uniform(7.0, 1.0), grid.point(2.3, 1.0))
    assert grid.mean_s(both, 1.0) == pytest.approx(20.0 + 3.5 + 2.3, rel=1e-6)


def test_the_reactive_cycle_is_lifetime_then_the_next_page_then_the_401s_trip():
    scenario = steady(client="locked")  # 900 s, a page every 20 s, rtt 0.08, the API's 401 in 0.002 s
    # exp = floor(T) + 900: 899.5 on average; a page from exp - rtt/2 on; the wait for it; rtt + 401 + rtt/2
    expected = 900 - 0.5 - 0.04 + 20 + 0.08 + 0.002 + 0.04
    cycle = refresh_cycle(scenario, 0.5)
    assert (cycle.trigger, cycle.holders_per_user) == ("401", 1)
    assert cycle.mean_s == pytest.approx(expected, abs=0.01)


def test_the_proactive_cycle_takes_its_margin_and_jitter_off():
    scenario = steady(client="locked", proactive="on-use", margin_s=60, margin_jitter_s=30)
    expected = 900 - 0.5 - 60 - 15 + 20 + 0.04  # the next page after the due time, then half a round trip
    cycle = refresh_cycle(scenario, 0.5)
    assert cycle.trigger == "page"
    assert cycle.mean_s == pytest.approx(expected, abs=0.01)
    timer = refresh_cycle(scenario.with_(proactive="timer", timer_tick_s=5), 0.5)
    assert timer.mean_s == pytest.approx(900 - 0.5 - 60 - 15 + 2.5 + 0.04, abs=0.01)


def test_tabs_with_their_own_storage_are_holders_of_their_own():
    cycle = refresh_cycle(steady(client="msal-browser", tabs=3), 1.0)
    assert cycle.holders_per_user == 3
    assert refresh_cycle(steady(client="locked", tabs=3), 1.0).holders_per_user == 1


def test_amplification_comes_from_the_simulations_own_clients():
    naive = capacity(steady(client="naive", concurrency=4, users=10, duration_s=2000))
    locked = capacity(steady(client="locked", concurrency=4, users=10, duration_s=2000))
    assert naive.amplification.calls_per_expiry == pytest.approx(4, rel=0.05)
    assert naive.amplification.batch_pmf[4] > 0.9  # four 401s at the same instant: four calls at once
    assert locked.amplification.calls_per_expiry == 1.0


# -- directions ------------------------------------------------------------------------


def test_a_synchronized_login_makes_waves_that_decay():
    result = capacity(steady(client="locked", users=100_000, synchronized=True, duration_s=5000, access_ttl_s=600))
    bins = result.peak_bins()
    first = bins[55:75].max()  # one lifetime (and a page wait) after the login
    second = bins[115:140].max()
    assert first > second > result.answers["mean_refresh_per_s"] * 10
    assert result.answers["peak_to_mean"] > 3


def test_jitter_flattens_the_peak_and_longer_lifetimes_lower_the_mean():
    base = steady(client="locked", proactive="timer", margin_s=60, users=100_000, synchronized=True)
    plain, jittered = capacity(base), capacity(base.with_(margin_jitter_s=300))
    assert jittered.answers["peak_refresh_per_s"] < plain.answers["peak_refresh_per_s"] / 5
    longer = capacity(base.with_(access_ttl_s=1800))
    assert longer.answers["mean_refresh_per_s"] < plain.answers["mean_refresh_per_s"]


def test_more_workers_than_needed_meet_the_target_and_fewer_do_not():
    scenario = steady(client="locked", users=50_000, access_ttl_s=300, auth_service_s=0.05)
    settings = CapacitySettings(target_p95_wait_s=0.05)
    needed = capacity(scenario, settings).answers["workers_needed"]
    assert capacity(scenario.with_(auth_capacity=needed), settings).answers["p95_wait_s"] <= 0.05
    assert capacity(scenario.with_(auth_capacity=needed - 1), settings).answers["p95_wait_s"] > 0.05


def test_a_peak_above_the_workers_leaves_a_backlog_that_drains():
    scenario = steady(client="naive", users=100_000, synchronized=True, access_ttl_s=300, auth_capacity=200)
    answers = capacity(scenario).answers
    assert answers["utilisation_peak"] > 1
    assert answers["backlog_peak"] > 0 and 0 < answers["drain_s"] < math.inf


def test_a_hundred_million_users_cost_what_ten_thousand_do():
    small = capacity(steady(client="locked", users=10_000, duration_s=86_400))
    huge = capacity(steady(client="locked", users=100_000_000, duration_s=86_400))
    assert huge.answers["mean_refresh_per_s"] == pytest.approx(small.answers["mean_refresh_per_s"] * 10_000)
    assert huge.refresh_per_s.nbytes == small.refresh_per_s.nbytes  # arrays over time, not over users


# -- refusals and the command line --------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "burst"}, "workload"),
        ({"auth_outages": ("10:20",)}, "auth_outages"),
        ({"refresh_loss": 0.1}, "refresh_loss"),
        ({"clock_offset_s": 5.0}, "clock_offset_s"),
        ({"pages_from_s": 100.0}, "pages_from_s"),
        ({"relogin_after_s": 5.0}, "relogin_after_s"),
        ({"api_capacity": 4}, "api_capacity"),
    ],
)
def test_a_population_the_model_cannot_describe_is_refused_with_a_pointer(changes, field):
    scenario = Scenario().with_({"kind": "steady", **changes})
    with pytest.raises(ConfigError) as error:
        capacity(scenario)
    assert error.value.field == field
    assert "python -m sim run" in str(error.value) or "steady" in str(error.value)


def test_capacity_prints_a_table_and_json(capsys):
    assert main(["capacity", "--users", "10000000", "--clients", "naive,locked"]) == 0
    out = capsys.readouterr().out
    assert "workers for the target p95 wait over the run" in out and "naive" in out and "locked" in out
    assert main(["capacity", "--users", "1000", "--client", "locked", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["client"] == "locked" and row["users"] == 1000


def test_capacity_saves_its_bins(capsys, tmp_path):
    assert main(["capacity", "--users", "1000", "--save", str(tmp_path)]) == 0
    assert (tmp_path / "capacity.csv").read_text().startswith("time_s,naive_per_s")
    assert json.loads((tmp_path / "capacity.json").read_text())[0]["users"] == 1000


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--workload", "trace", "--arrivals", "x.csv"], "python -m sim run"),
        (["--auth-outage", "10:20"], "auth_outages"),
        (["--logins", "sometimes"], "logins = 'sometimes'"),
        (["--target-p95-wait", "-1"], "target_p95_wait_s = -1"),
        (["--step", "0.3", "--peak-bin", "10"], "peak_bin_s"),
        (["--users", "0"], "users = 0"),
        (["--check-users", "100"], "check_users"),
        (["--check-against-sim", "--check-users", "10,abc"], "check_users = '10,abc'"),
    ],
)
def test_bad_capacity_input_is_one_line_and_status_2(capsys, argv, named):
    status = main(["capacity", *argv])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and named in err


def test_a_scenario_files_capacity_section_is_read_and_checked(capsys, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[workload]\nkind = "steady"\nusers = 100\n[capacity]\nlogins = "ramp"\ntarget_p95_wait_s = 0.5\n')
    assert main(["capacity", "--scenario", str(good), "--client", "locked", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["logins"], row["target_p95_wait_s"]) == ("ramp", 0.5)
    bad = tmp_path / "bad.toml"
    bad.write_text('[capacity]\nlogin = "ramp"\n')
    assert main(["run", "--scenario", str(bad)]) == 2  # a run reads the file too, and checks the section
    err = capsys.readouterr().err
    assert "bad.toml: [capacity] login" in err and "unknown key" in err


# -- against the simulation ------------------------------------------------------------------


def test_the_mean_rate_matches_a_run_at_a_thousand_users():
    row = check_case(Case(1000, "locked", "uniform"), seeds=1)
    assert abs(row["mean_error"]) <= TOLERANCE["mean"]


@pytest.mark.slow
@pytest.mark.parametrize("client", ["naive", "locked", "proactive+jitter"])
@pytest.mark.parametrize("logins", ["uniform", "synchronized"])
def test_the_model_matches_the_simulation_at_a_thousand_users(client, logins):
    row = check_case(Case(1000, client, logins))
    assert row["mean_ok"] and row["peak_ok"] and row["p95_ok"], row


# -- sweeps ------------------------------------------------------------------------------------------


def test_a_sweep_runs_the_capacity_model_from_a_thousand_to_a_hundred_million_users(tmp_path):
    from sim.sweep import Sweep, load_sweep, sweep

    shipped = load_sweep("capacity")
    assert shipped.model == "capacity" and shipped.parameters["users"] == (1000, 10**4, 10**5, 10**6, 10**7, 10**8)
    small = Sweep("two", shipped.base, {"users": (1000, 10**8)}, ("locked",), model="capacity")
    result = sweep(small, executor="inline", cache=False, progress=False)
    rows = result.runs.set_index("users")
    assert rows.loc[10**8, "mean_refresh_per_s"] == pytest.approx(rows.loc[1000, "mean_refresh_per_s"] * 1e5)
    assert set(result.points.columns) >= {"users", "strategy", "workers_needed", "workers_needed_ci"}
    with pytest.raises(ConfigError, match="replications"):
        Sweep("again", shipped.base, {"users": (1000,)}, ("locked",), replications=2, model="capacity")
