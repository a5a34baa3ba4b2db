"""Sweeps: a file of parameters, three executors that agree, a cache that skips finished runs."""

import time
from pathlib import Path

import pandas as pd
import pytest

import sim
import sim.sweep
from sim import ConfigError
from sim.cli import main
from sim.sweep import Sweep, load_sweep, sweep

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios/sweeps/tiny.toml"


def write(folder: Path, text: str, name: str = "s.toml") -> Path:
    path = folder / name
    path.write_text(f'scenario = "{ROOT / "scenarios/burst.toml"}"\n' + text)
    return path


def same_runs(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal but for the wall time each run took."""
    pd.testing.assert_frame_equal(a.drop(columns="wall_time_s"), b.drop(columns="wall_time_s"))


def test_the_plan_is_every_point_strategy_and_seed_with_common_seeds():
    plan = load_sweep(TINY).plan()
    assert len(plan) == 2 * 2 * 2 * 2
    seeds = {(label["concurrency"], label["auth_capacity"], label["strategy"]): [] for label, _ in plan}
    for label, scenario in plan:
        assert scenario.seed == label["seed"] and scenario.workload.concurrency == label["concurrency"]
        seeds[label["concurrency"], label["auth_capacity"], label["strategy"]].append(label["seed"])
    assert set(map(tuple, seeds.values())) == {(1, 2)}  # the same seeds at every point, for every strategy


def test_zip_takes_values_in_step_and_ranges_expand(tmp_path):
    path = write(tmp_path, 'design = "zip"\n[parameters]\nconcurrency = {start = 2, stop = 8, num = 3}\n'
                 'at_s = {start = 100, stop = 400, num = 3, scale = "log"}\n')  # fmt: skip
    points = load_sweep(path).points()
    assert points == [{"concurrency": 2, "at_s": 100}, {"concurrency": 5, "at_s": 200}, {"concurrency": 8, "at_s": 400}]


def test_inline_processes_and_dask_give_the_same_runs():
    distributed = pytest.importorskip("dask.distributed")
    the_sweep = load_sweep(TINY)
    inline = sweep(the_sweep, executor="inline", cache=False, progress=False).runs
    pool = sweep(the_sweep, executor="processes", jobs=2, cache=False, progress=False).runs
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        on_dask = sweep(the_sweep, client=client, cache=False, progress=False).runs
    same_runs(inline, pool)
    same_runs(inline, on_dask)
    assert inline["refresh_calls"].tolist()[:4] == [2, 2, 1, 1]  # naive: one refresh per request; locked: one


def test_the_cache_skips_finished_runs_and_runs_changed_ones(tmp_path):
    cache = tmp_path / "cache"
    first = sweep(TINY, executor="inline", cache_dir=cache, progress=False)
    assert first.ran == 16
    again = sweep(TINY, executor="inline", cache_dir=cache, progress=False)
    assert again.ran == 0
    same_runs(first.runs, again.runs)
    the_sweep = load_sweep(TINY)
    changed = Sweep(the_sweep.name, the_sweep.base, {**the_sweep.parameters, "concurrency": (2, 16)},
                    the_sweep.strategies, the_sweep.replications)  # fmt: skip
    third = sweep(changed, executor="inline", cache_dir=cache, progress=False)
    assert third.ran == 8  # only the points with 16 requests are new
    assert sweep(TINY, executor="inline", cache=False, progress=False).ran == 16


def test_an_interrupted_sweep_keeps_what_finished(tmp_path, monkeypatch):
    import sim.sweep

    calls = {"n": 0}
    real = sim.sweep.summary_row

    def stops_after_five(scenario):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt
        return real(scenario)

    monkeypatch.setattr(sim.sweep, "summary_row", stops_after_five)
    with pytest.raises(KeyboardInterrupt):
        sweep(TINY, executor="inline", cache_dir=tmp_path, progress=False)
    monkeypatch.setattr(sim.sweep, "summary_row", real)
    assert sweep(TINY, executor="inline", cache_dir=tmp_path, progress=False).ran == 11


def test_points_have_means_and_half_widths_and_files_are_written(tmp_path):
    result = sweep(TINY, executor="inline", cache=False, progress=False)
    points = result.points
    assert len(points) == 8 and {"refresh_calls", "refresh_calls_ci"} <= set(points)
    written = result.save(tmp_path)
    assert [p.name for p in written] == ["runs.csv", "points.csv", "runs.parquet"]  # the full install has pyarrow
    same_runs(pd.read_parquet(written[2]), result.runs)


def test_without_pyarrow_the_sweep_writes_its_csv_files_only(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.sweep, "PARQUET", False)  # the light install (requirements-sim.txt)
    result = sweep(TINY, executor="inline", cache=False, progress=False)
    assert [p.name for p in result.save(tmp_path)] == ["runs.csv", "points.csv"]
    assert not (tmp_path / "runs.parquet").exists()


def test_without_scipy_replications_say_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_scipy(name, *args, **kwargs):
        if name == "scipy" or name.startswith("scipy."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    assert sim.mean_ci(pd.Series([3.0]))[0] == 3.0  # one replication needs no interval
    with pytest.raises(ConfigError, match="replications = 2: a confidence interval over replications needs scipy"):
        sim.mean_ci(pd.Series([1.0, 2.0]))


SWEEP_CASES = [
    ("[parameters]\nconcurency = [1, 2]\n", "concurency"),
    ("[parameters]\nconcurrency = [0, 2]\n", "concurrency = 0"),
    ("[parameters]\nconcurrency = 3\n", "concurrency = 3"),
    ("[parameters]\nconcurrency = {start = 1}\n", "a range is"),
    ("replications = 0\n", "replications = 0"),
    ('design = "latin"\n', "design = 'latin'"),
    ('strategies = ["magic"]\n', "strategies = 'magic'"),
    ("speed = 3\n", "speed = 3: unknown key"),
    ('design = "zip"\n[parameters]\nconcurrency = [1, 2]\nauth_capacity = [1]\n', "zip needs"),
    # issue 26: as strict as scenario files
    ('[parameters]\nusers = {start = "a", stop = "b", step = 1}\n', "users = {'start': 'a'", "with numbers"),
    ("[parameters]\nusers = {start = 1, stop = 2, num = true}\n", "'num': True", "with numbers"),
    ("[parameters]\nusers = {start = true, stop = false, num = 2}\n", "'start': True", "with numbers"),
    ("[parameters]\nusers = {start = 1, stop = 9, num = 0}\n", "users = 0", "num must be a whole number"),
    ("[parameters]\nusers = {start = 1, stop = 9, num = 2.5}\n", "users = 2.5", "num must be a whole number"),
    ("[parameters]\nusers = {start = 1, stop = 9, step = 0}\n", "'step': 0", "step must lead"),
    ("[parameters]\nusers = {start = 9, stop = 1, step = 1}\n", "'step': 1", "step must lead"),
    ("[parameters]\nusers = {start = 1, stop = inf, step = 1}\n", "'stop': inf", "with numbers"),
    ("[parameters]\nusers = {start = 1, stop = 1e300, step = 1}\n", "'stop': 1e+300", "at most 100,000 steps"),
    ("[parameters]\nusers = {start = 1, stop = 9, num = 1000000000}\n", "users = 1000000000", "1 to 100,000"),
    ("replications = 1000000000\n", "runs = 3000000000", "at most 100,000 runs"),
    ("replications = true\n", "replications = True", "whole number"),
    ("replications = 2.5\n", "replications = 2.5", "whole number"),
    ("base = 5\n", "base = 5", "must be a [table]"),
    ("[base]\nspeed = 5\n", "speed = 5", "is not a scenario field"),
    ("[base]\nusers = 'many'\n", "users = 'many'"),
    ("parameters = 5\n", "parameters = 5", "must be a [table]"),
    ("[parameters]\nseed = [1, 2]\n", "seed = (1, 2)", "the sweep sets the seed"),
    ('[parameters]\nstrategy = ["naive", "locked"]\n', "strategy = ('naive', 'locked')", "strategies"),
    ('strategies = ["naive", "naive"]\n', "strategies = ['naive', 'naive']", "each client once"),
    ("strategies = [1]\n", "strategies = [1]", "list of named clients"),
    ('name = "../escape"\n', "name = '../escape'", "plain name"),
    ('name = "/tmp/x"\n', "name = '/tmp/x'", "plain name"),
    ('name = ".."\n', "name = '..'", "plain name"),
    ("name = 5\n", "name = 5", "plain name"),
    ("description = 5\n", "description = 5", "must be a string"),
    ("[parameters]\nusers = " + "[" * 40 + "1" + "]" * 40 + "\n", "sweep", "over 16 deep"),
]


@pytest.mark.parametrize(("text", "named"), [(case[0], case[1:]) for case in SWEEP_CASES], ids=str)
def test_a_bad_sweep_file_gets_one_line_naming_the_key_and_exit_2(tmp_path, capsys, text, named):
    path = write(tmp_path, text)
    status = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--executor", "inline"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "s.toml" in err and all(part in err for part in named), err
    with pytest.raises(ConfigError):
        load_sweep(path)


def test_a_sweep_too_large_is_refused_from_its_shape_at_once(tmp_path, capsys):
    """10^9 points, or 10^9 replications: refused before a single point is built (issue 26)."""
    names = [
        "users",
        "tabs",
        "concurrency",
        "at_s",
        "access_ttl_s",
        "rtt_s",
        "auth_capacity",
        "api_capacity",
        "leeway_s",
    ]
    factorial = "[parameters]\n" + "".join(f"{name} = {list(range(1, 11))}\n" for name in names)
    for text in (factorial, "replications = 1000000000\n", "[parameters]\nusers = {start = 1, stop = 2, num = 100000}\n"
                 'concurrency = {start = 1, stop = 9, num = 3}\n'):  # fmt: skip
        start = time.perf_counter()
        assert main(["sweep", str(write(tmp_path, text)), "--out", str(tmp_path / "out")]) == 2
        assert time.perf_counter() - start < 1.0
        assert "at most 100,000 runs in one command (a sweep's points" in capsys.readouterr().err


def test_a_sweep_with_no_parameters_runs_its_base_in_either_design(tmp_path):
    """Zipping no parameters is the one point, as the factorial of none is (once an empty table: a KeyError)."""
    for design in ("factorial", "zip"):
        the_sweep = load_sweep(write(tmp_path, f'design = "{design}"\nstrategies = ["naive"]\n'))
        assert the_sweep.size == 1 and the_sweep.points() == [{}]
        assert len(sweep(the_sweep, executor="inline", cache=False, progress=False).points) == 1


def test_each_point_is_estimated_as_a_run_is(tmp_path, capsys):
    path = write(tmp_path, "[parameters]\nconcurrency = [1, 1000000]\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "s.toml: refreshes = 1000000:" in capsys.readouterr().err
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--max-refreshes", "0"]) == 2
    assert capsys.readouterr().err == "error: max_refreshes = 0: must be a whole number >= 1\n"


def test_the_output_folder_is_checked_before_any_run(tmp_path, capsys, monkeypatch):
    import sim.sweep

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setattr(sim.sweep, "load_sweep", lambda path: pytest.fail("the sweep was read before --out"))
    assert main(["sweep", str(TINY), "--out", str(a_file)]) == 2
    assert capsys.readouterr().err == f"error: out = '{a_file}': is a file, not a folder\n"


def test_the_command_prints_each_point_and_says_what_came_from_the_cache(tmp_path, capsys):
    argv = ["sweep", str(TINY), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"), "--jobs", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("sweep: tiny, 16 runs (16 run now, 0 from the cache), seeds 1..2")
    assert main(argv) == 0
    assert "(0 run now, 16 from the cache)" in capsys.readouterr().out


def test_the_sweep_benchmark_times_each_path_on_the_same_runs():
    pytest.importorskip("dask.distributed")
    import sim.bench

    report = sim.bench.sweep_benchmark(runs=4)
    assert report["same_runs"] is True and report["runs"] == 4
    assert report["pool_1_s"] > 0 and report["pool_2_s"] > 0 and report["dask_2_s"] > 0
    text = sim.bench.format_sweep_report(report)
    assert "speed-up" in text and "Dask LocalCluster" in text and "every path made the same runs: yes" in text


def test_a_sweep_runs_named_clients_libraries_included(tmp_path):
    """Libraries are named clients like the strategies: a sweep lists them, or sweeps over them."""
    base = tmp_path / "burst.toml"
    base.write_text("[workload]\nconcurrency = 5\n")
    listed = tmp_path / "listed.toml"
    listed.write_text(
        f'scenario = "{base}"\nstrategies = ["naive", "axios-auth-refresh-5"]\n[parameters]\nusers = [1]\n'
    )
    runs = sweep(load_sweep(listed), executor="inline", cache=False).runs
    assert list(runs["strategy"]) == ["naive", "axios-auth-refresh-5"]
    assert list(runs["refresh_calls"]) == [5, 1]
    swept = tmp_path / "swept.toml"
    swept.write_text(f'scenario = "{base}"\n[parameters]\nclient = ["naive", "axios-auth-refresh-5"]\n')
    runs = sweep(load_sweep(swept), executor="inline", cache=False).runs
    assert list(runs["strategy"]) == ["naive", "axios-auth-refresh-5"]
    both = tmp_path / "both.toml"
    both.write_text(f'scenario = "{base}"\nstrategies = ["naive"]\n[parameters]\nclient = ["naive"]\n')
    with pytest.raises(ConfigError, match="a parameter names the client already"):
        load_sweep(both)


# -- sweeps built in code: labelled clients and a measure of their own --------------------------------

BURST = load_sweep(TINY).base


def refreshes_per_request(result) -> dict:
    """A measure: one number from the run's records, not from its summary."""
    return {"refreshes_per_request": len(result.refreshes) / len(result.requests)}


def test_labelled_clients_are_built_with_their_fields_and_keep_their_label():
    clients = {"per tab": {"strategy": "locked"}, "held": {"strategy": "locked", "hold_while_refreshing": True}}
    the_sweep = Sweep("labelled", BURST, {"concurrency": (2, 4)}, clients)
    plan = the_sweep.plan()
    assert [label["client"] for label, _ in plan] == ["per tab", "held", "per tab", "held"]
    assert plan[1][1] == BURST.with_(concurrency=2, strategy="locked", hold_while_refreshing=True)
    result = sweep(the_sweep, executor="inline", cache=False, progress=False)
    assert result.runs["client"].tolist() == ["per tab", "held"] * 2
    assert result.runs["strategy"].tolist() == ["locked", "locked+hold_while_refreshing=true"] * 2
    points = result.points.set_index(["concurrency", "client"])
    assert points.index.tolist() == [(2, "per tab"), (2, "held"), (4, "per tab"), (4, "held")]
    with pytest.raises(ConfigError, match="the sweep sets the seed"):
        Sweep("seeded", BURST, {}, {"locked": {"strategy": "locked", "seed": 3}})


def test_a_measure_makes_each_row_on_any_executor_and_is_part_of_the_cache_key(tmp_path):
    the_sweep = Sweep("measured", BURST, {"concurrency": (2, 8)}, ("naive", "locked"), measure=refreshes_per_request)
    inline = sweep(the_sweep, executor="inline", cache_dir=tmp_path, progress=False)
    pool = sweep(the_sweep, executor="processes", jobs=2, cache=False, progress=False)
    pd.testing.assert_frame_equal(inline.runs, pool.runs)
    assert inline.runs["refreshes_per_request"].tolist() == [1.0, 0.5, 1.0, 0.125]  # naive: one per request
    assert list(inline.points.columns) == [
        "concurrency", "strategy", "refreshes_per_request", "refreshes_per_request_ci"
    ]  # fmt: skip
    summaries = sweep(Sweep("measured", BURST, {"concurrency": (2, 8)}, ("naive", "locked")), executor="inline",
                      cache_dir=tmp_path, progress=False)  # fmt: skip
    assert summaries.ran == 4 and "refresh_calls" in summaries.runs  # the measured rows are not its rows
