"""The figures: each draws what it is given, and each still shows what is committed.

- Every ``fig_<name>`` draws small hand-made data into a ``Figure`` with
  labelled axes and a legend naming what it compares.
- Every ``<name>_data()`` still gives the numbers in ``figures/<name>.csv``
  (read back after the same rounding), so a model change that moves a figure
  fails here: rebuild with ``python -m sim figures`` and commit the new files
  if the move is meant. Each data function runs once in a test session
  (``figure_data``), and its drawing draws what it made.
- ``build_all`` run twice on cheap figures gives byte-identical files.
- Every notebook a figure lists in ``FIGURES`` calls its drawing function,
  and every notebook that calls one is listed (``figures/README.md`` says so).
"""

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import sim
from sim import figures

COMMITTED = Path(__file__).resolve().parent.parent / "figures"
NOTEBOOKS = sorted((COMMITTED.parent / "notebooks").glob("[0-9][0-9]-*.ipynb"))
STRATEGIES = ("naive", "locked", "queued")


def legend_texts(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def assert_labelled(fig: Figure) -> None:
    """Every axis has a label, its own or that of an axes it is shared with."""
    assert isinstance(fig, Figure)
    for ax in fig.axes:
        xlabels = [a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax)]
        ylabels = [a.get_ylabel() for a in ax.get_shared_y_axes().get_siblings(ax)]
        assert any(xlabels), f"axes {ax.get_title()!r} has no x label"
        assert any(ylabels), f"axes {ax.get_title()!r} has no y label"


def assert_legend_names(fig: Figure, strategies=STRATEGIES) -> None:
    texts = " ".join(legend_texts(fig))
    for strategy in strategies:
        assert strategy in texts, f"the legend does not name {strategy}"


# -- (a) each drawing function on small data ----------------------------------


def test_sequence_diagram_draws_one_panel_per_strategy():
    events = figures.sequence_diagram_data(requests=2, gap_ms=10)
    fig = figures.fig_sequence_diagram(events)
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert [title.splitlines()[0] for title in titles] == ["naive", "locked"]
    assert titles[0].splitlines()[1].startswith("2 refresh calls")
    assert titles[1].splitlines()[1].startswith("1 refresh call,")
    assert "time" in fig.axes[0].get_ylabel() and "ms" in fig.axes[0].get_ylabel()
    assert any("401" in text for text in legend_texts(fig))


def test_bff_sequence_draws_each_instance_and_the_session_store():
    race = sim.Scenario(
        latencies=figures.DIAGRAM_LATENCIES, workload=sim.Workload(kind="burst", concurrency=2, at_s=901.0),
        record_calls=True,
    ).with_(tier="bff", instances=2, rotation=True, reuse_detection=True, bff_rtt_s=0.04)  # fmt: skip
    rows = pd.concat(
        [
            figures.bff_sequence_rows(sim.run(race), "no lock", 901.0),
            figures.bff_sequence_rows(sim.run(race.with_(session_lock="distributed")), "lock", 901.0),
        ]
    )
    no_lock, locked = rows[rows["case"] == "no lock"], rows[rows["case"] == "lock"]
    sent = no_lock[no_lock["kind"] == "request"]
    assert list(sent["instance"]) == [0, 1] and list(sent["received_ms"].round(3)) == [40.0, 40.0]  # the trip first
    assert sorted(no_lock.loc[no_lock["kind"] == "refresh", "instance"]) == [0, 1]
    assert list(no_lock.loc[no_lock["kind"] == "answer", "outcome"]) == ["logged_out", "ok"]
    assert list(locked.loc[locked["kind"] == "refresh", "instance"]) == [0] and "logout" not in set(locked["kind"])
    fig = figures.fig_bff_sequence(rows)
    titles = [ax.get_title().splitlines() for ax in fig.axes]
    assert titles == [
        ["no lock", "2 refresh calls, the session is lost"],
        ["lock", "1 refresh call, the session is kept"],
    ]
    assert "ms" in fig.axes[0].get_ylabel() and any("load balancer" in text for text in legend_texts(fig))
    assert fig.get_figwidth() * fig.dpi <= 1300, "wider than a notebook"
    with pytest.raises(ValueError, match="record_calls"):
        figures.bff_sequence_rows(sim.run(race.with_(record_calls=False)), "no calls", 901.0)


def test_sequence_diagram_three_panels_fit_a_notebook():
    """naive, locked and queued: two panels a row at most, no label over another, the late 401 and the held
    requests marked."""
    events = figures.sequence_diagram_data(gap_ms=60, strategies=STRATEGIES)
    fig = figures.fig_sequence_diagram(events)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    panels = [ax for ax in fig.axes if ax.get_title()]  # the legend sits in the fourth slot
    assert [ax.get_title().splitlines()[0] for ax in panels] == list(STRATEGIES)
    assert fig.get_figwidth() * fig.dpi <= 1300, "wider than a notebook"
    for ax in panels:
        boxes = [text.get_window_extent(renderer).padded(-1) for text in [ax.title, *ax.texts] if text.get_text()]
        for i, box in enumerate(boxes):
            assert not any(box.overlaps(other) for other in boxes[i + 1 :]), f"labels overlap in {ax.get_title()!r}"
    texts = {ax.get_title().splitlines()[0]: [t.get_text() for t in ax.texts] for ax in panels}
    assert texts["locked"].count("late\n401") == 1  # request 4, sent before the store, answered after
    assert "late\n401" not in texts["queued"] and texts["queued"].count("held") == 2  # requests 3 and 4


def test_in_flight():
    loads = {
        "naive": pd.DataFrame({"time_s": [0.0, 10.0, 10.03, 10.06], "in_flight": [0, 8, 4, 0]}),
        "locked": pd.DataFrame({"time_s": [0.0, 10.0, 10.03], "in_flight": [0, 1, 0]}),
    }
    fig = figures.fig_in_flight(loads, capacity=4)
    assert_labelled(fig)
    assert_legend_names(fig, ("naive", "locked"))
    assert "(ms)" in fig.axes[0].get_xlabel()
    texts = legend_texts(fig)
    assert any("peak 8" in text for text in texts) and any("4 auth workers" in text for text in texts)
    low, high = fig.axes[0].get_xlim()
    assert low < 0 and high > 60  # from the first arrival to the last change, in ms
    in_seconds = figures.fig_in_flight(loads, unit="s", origin_s=0)
    assert in_seconds.axes[0].get_xlabel() == "simulated time (s)"


def test_sweep():
    rows = [
        {"auth_service_s": x, "strategy": s, "unauthorized_responses": 400 + (100 * x if s == "locked" else 0),
         "expiry_latency_p95_s": 0.3 + x, "expiry_latency_p95_s_ci": 0.05, "formula_s": 0.2 + x}
        for s in STRATEGIES
        for x in (0.03, 0.3, 1.0)
    ]  # fmt: skip
    table = pd.DataFrame(rows)
    fig = figures.fig_sweep(
        table,
        "auth_service_s",
        ["unauthorized_responses", "expiry_latency_p95_s"],
        labels={"unauthorized_responses": "401 responses"},
        log_x=True,
        reference={"expiry_latency_p95_s": "formula_s"},
    )
    assert_labelled(fig)
    assert_legend_names(fig)
    first, second = fig.axes
    assert first.get_xlabel() == "auth service (s) (log scale)" and first.get_ylabel() == "401 responses"
    assert second.get_ylabel() == "expiry latency p95 (s)"
    assert [tick.get_text() for tick in first.get_xticklabels()] == ["0.03", "0.3", "1"]
    texts = legend_texts(fig)
    assert "95 % confidence interval" in texts and "formula (s)" in texts
    assert len(second.collections) == len(STRATEGIES)  # one band per strategy, where a _ci column is
    assert not first.collections


def test_column_label_writes_the_unit():
    assert figures.column_label("expiry_latency_p95_ms") == "expiry latency p95 (ms)"
    assert figures.column_label("rtt_s") == "rtt (s)"
    assert figures.column_label("page_rate_per_s") == "page rate (per s)"
    assert figures.column_label("expiry_share_pct") == "expiry share (%)"
    assert figures.column_label("auth_capacity") == "auth capacity"
    assert figures.column_label("extra (s)") == "extra (s)"


def test_refresh_storm():
    storm = pd.DataFrame(
        [
            {"strategy": s, "concurrency": n, "refresh_calls": n if s == "naive" else 1,
             "unauthorized_responses": n, "slowest_request_ms": 300.0 + n, "auth_capacity": 4}
            for s in STRATEGIES
            for n in (1, 2, 4)
        ]
    )  # fmt: skip
    fig = figures.fig_refresh_storm(storm)
    assert_labelled(fig)
    assert_legend_names(fig)


def test_a_strategy_that_is_no_preset_is_drawn_and_named():
    """A preset with a field set otherwise is drawn after the presets, in a style of its own, and named."""
    variant = "locked+max_retries=3"
    names = (*STRATEGIES, variant)
    storm = pd.DataFrame(
        [
            {"strategy": s, "concurrency": n, "refresh_calls": n if s == "naive" else 1,
             "unauthorized_responses": n, "slowest_request_ms": 300.0 + n, "auth_capacity": 4}
            for s in (variant, *STRATEGIES)
            for n in (1, 2, 4)
        ]
    )  # fmt: skip
    fig = figures.fig_refresh_storm(storm)
    assert_labelled(fig)
    assert_legend_names(fig, names)
    assert legend_texts(fig)[-1] == variant  # presets first, then the rest
    sweep = pd.DataFrame(
        [{"auth_capacity": x, "strategy": s, "refresh_calls": x + len(s)} for s in names for x in (1, 2, 4)]
    )
    fig = figures.fig_sweep(sweep, "auth_capacity", "refresh_calls")
    assert_labelled(fig)
    assert_legend_names(fig, names)
    assert fig.legends[0].get_title().get_text() == "strategy"
    looks = figures.strategy_styles([variant, "naive+hold_while_refreshing=true", "other", "locked"])
    assert list(looks) == ["locked", variant, "naive+hold_while_refreshing=true", "other"]
    assert looks[variant]["color"] == figures.STRATEGY_COLORS["locked"]
    assert looks[variant]["marker"] not in figures.STRATEGY_MARKERS.values()
    shapes = [(look["color"], look["linestyle"], look["marker"]) for look in looks.values()]
    assert len(set(map(str, shapes))) == len(shapes)


def test_refresh_timeline():
    timeline = pd.DataFrame(
        {
            "strategy": np.repeat(STRATEGIES, 4),
            "bin_start_s": np.tile([0.0, 10.0, 20.0, 30.0], 3),
            "bin_s": 10.0,
            "refresh_calls": [0, 8, 1, 0] + [0, 2, 1, 0] * 2,
            "access_ttl_s": 10,
        }
    )
    fig = figures.fig_refresh_timeline(timeline)
    assert_labelled(fig)
    assert_legend_names(fig)
    assert "s)" in fig.axes[0].get_xlabel()


def test_latency_cdf():
    fractions = np.linspace(0, 1, 5)
    quantiles = pd.DataFrame(
        [
            {"strategy": s, "met_expiry": met, "fraction": f,
             "latency_ms": 100 + 200 * met + 50 * f, "requests": 10}
            for s in STRATEGIES
            for met in (False, True)
            for f in fractions
        ]
    )  # fmt: skip
    fig = figures.fig_latency_cdf(quantiles)
    assert_labelled(fig)
    assert_legend_names(fig)
    assert len(fig.axes) == 2
    for ax in fig.axes:  # identical curves: naive widest and at the bottom, and a note that they coincide
        naive, locked, queued = ax.get_lines()
        assert naive.get_linewidth() > locked.get_linewidth() > queued.get_linewidth()
        assert naive.get_zorder() < locked.get_zorder() < queued.get_zorder()
        assert any("coincide" in text.get_text() for text in ax.texts)
    apart = quantiles.assign(latency_ms=quantiles["latency_ms"] + 50 * (quantiles["strategy"] == "naive"))
    assert not any(ax.texts for ax in figures.fig_latency_cdf(apart).axes)  # curves apart: no note


def test_auth_load():
    load = pd.DataFrame(
        [
            {"logins": logins, "strategy": s, "time_s": t, "peak_in_flight": int(t) % 3,
             "auth_capacity": 1}
            for logins in ("together", "spread")
            for s in STRATEGIES
            for t in (0.0, 5.0, 10.0)
        ]
    )  # fmt: skip
    fig = figures.fig_auth_load(load)
    assert len(fig.axes) == 2
    assert_labelled(fig)
    assert_legend_names(fig)


def test_ttl_sensitivity():
    rows = []
    for s in STRATEGIES:
        for ttl in (30, 60, 120):
            rows.append(
                {"access_ttl_s": ttl, "strategy": s,
                 "refresh_per_1000_requests": 1000 / ttl, "refresh_per_1000_requests_ci": 1.0,
                 "expiry_share_pct": 100 / ttl, "expiry_share_pct_ci": 0.5,
                 "expiry_latency_p95_ms": 400.0, "expiry_latency_p95_ms_ci": 20.0,
                 "replications": 5}
            )  # fmt: skip
    fig = figures.fig_ttl_sensitivity(pd.DataFrame(rows))
    assert_labelled(fig)
    assert_legend_names(fig)
    ttls = pd.DataFrame(rows)["access_ttl_s"]
    measured = pd.DataFrame(rows).assign(duration_s=21 * ttls, measured_from_s=ttls)
    assert "measured over 20 T" in figures.fig_ttl_sensitivity(measured)._suptitle.get_text()


def test_ttl_sensitivity_measures_a_steady_state():
    """After a warm-up of one lifetime, single-flight refreshes once per lifetime plus the wait for a page."""
    table = figures.ttl_sensitivity_data(access_ttl_s=(30,), replications=2, lifetimes=10).set_index("strategy")
    workload = figures.SENSITIVITY.workload
    assert (table["duration_s"] == 11 * 30).all() and (table["measured_from_s"] == 30).all()
    estimate = 1000 / (workload.concurrency * (workload.page_rate_per_s * 30 + 1))
    assert table.loc["locked", "refresh_per_1000_requests"] == pytest.approx(estimate, rel=0.1)
    per_user_hour = 3600 / (30 + 1 / workload.page_rate_per_s)
    assert table.loc["locked", "refresh_per_user_hour"] == pytest.approx(per_user_hour, rel=0.1)


# -- any scenario, or runs already made --------------------------------------------


SMALL = figures.RUSH.with_(users=4, duration_s=150.0)


def test_data_functions_take_any_scenario_or_runs():
    runs = sim.compare(SMALL)
    pd.testing.assert_frame_equal(figures.latency_cdf_data(scenario=SMALL), figures.latency_cdf_of(runs))
    pd.testing.assert_frame_equal(figures.refresh_timeline_data(scenario=SMALL), figures.refresh_timeline_of(runs))
    timeline = figures.refresh_timeline_of(runs)
    assert timeline["bin_start_s"].max() == 140.0 and set(timeline["strategy"]) == set(STRATEGIES)
    load = figures.auth_load_data(scenario=SMALL, logins=("spread",))
    pd.testing.assert_frame_equal(load, figures.auth_load_of(sim.compare(SMALL.with_(synchronized=False))))
    assert set(load["logins"]) == {"spread"}
    other_seed = figures.latency_cdf_data(seed=2, scenario=SMALL)
    assert not other_seed["latency_ms"].equals(figures.latency_cdf_data(scenario=SMALL)["latency_ms"])
    with pytest.raises(ValueError, match="logins"):
        figures.auth_load_data(scenario=SMALL, logins=("morning",))


# -- the README's "used in": notebooks really draw the figures they are listed for ---


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


@pytest.mark.parametrize("spec", figures.FIGURES, ids=lambda spec: spec.name)
def test_listed_notebooks_are_the_ones_that_draw_the_figure(spec):
    assert spec.draw.__name__ == f"fig_{spec.name}"
    assert set(spec.notebooks) <= {path.stem for path in NOTEBOOKS}, "a listed notebook does not exist"
    calls = re.compile(rf"\bfig_{spec.name}\(")
    drawing = [path.stem for path in NOTEBOOKS if calls.search(notebook_code(path))]
    assert sorted(spec.notebooks) == drawing, f"fig_{spec.name}( is called in {drawing}"


def test_each_strategy_keeps_its_colour():
    assert set(figures.STRATEGY_COLORS) == set(STRATEGIES)
    assert len(set(figures.STRATEGY_COLORS.values())) == len(STRATEGIES)


# -- (b) and (c): every figure's data once, its drawing, and a cheap one built twice ------------------


class FigureData:
    """Each figure's data, made by its data function at most once in the test session (the slow part)."""

    def __init__(self) -> None:
        self.made: dict[str, pd.DataFrame] = {}

    def __getitem__(self, spec: figures.FigureSpec) -> pd.DataFrame:
        if spec.name not in self.made:
            self.made[spec.name] = spec.data()
        return self.made[spec.name].copy()  # a test may change its copy, never the next test's


@pytest.fixture(scope="session")
def figure_data() -> FigureData:
    return FigureData()


@pytest.mark.slow
@pytest.mark.parametrize("spec", figures.FIGURES, ids=lambda spec: spec.name)
def test_data_matches_committed_csv(spec, figure_data):
    """A model change that moves a figure fails here (the committed CSVs were made by another process)."""
    committed = COMMITTED / f"{spec.name}.csv"
    assert committed.exists(), f"{committed} is missing: run python -m sim figures"
    expected = figures.read_csv_text(committed.read_text())
    regenerated = figures.read_csv_text(figures.csv_text(figure_data[spec]))
    pd.testing.assert_frame_equal(regenerated, expected, rtol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("spec", [s for s in figures.FIGURES if s.suffix == "png"], ids=lambda spec: spec.name)
def test_each_figure_draws_its_data(spec, figure_data):
    """Every figure renders from its real data (the animated one is built and checked in test_animation.py)."""
    drawn = spec.figure(figure_data[spec])
    assert isinstance(drawn, Figure) and drawn.axes
    png = io.BytesIO()
    figures.save_figure(drawn, png)
    assert png.getvalue().startswith(b"\x89PNG")


def test_readme_lists_every_figure():
    readme = (COMMITTED / "README.md").read_text()
    assert readme == figures.readme_text()
    for spec in figures.FIGURES:
        assert f"`{spec.file}`" in readme
        assert (COMMITTED / spec.file).exists()
    animation = next(spec for spec in figures.FIGURES if spec.name == "sequence_animation")
    assert animation.file == "sequence_animation.gif" and animation.notebooks == ()
    assert f"- used in: {figures.NO_NOTEBOOK}" in readme


def test_build_all_is_byte_identical(tmp_path):
    """Two builds of a cheap figure (its data run again, drawn, saved) give the same bytes, and a build
    writes the figure, its data and the index, nothing else."""
    cheap = ["sequence_diagram", "tab_race"]
    first, second = (
        figures.build_all(tmp_path / "first", only=cheap),
        figures.build_all(tmp_path / "second", only=cheap),
    )
    expected = ["sequence_diagram.png", "sequence_diagram.csv", "tab_race.png", "tab_race.csv", "README.md"]
    assert [p.name for p in first] == [p.name for p in second] == expected
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two builds"
    assert (tmp_path / "first" / "sequence_diagram.csv").read_text() == (COMMITTED / "sequence_diagram.csv").read_text()


def test_rotation_logouts():
    rows = [
        {"strategy": s, "tabs": t, "grace_s": g, "replication": r, "users": 10, "logouts": 0,
         "logged_out_pct": 10.0 * t * (g == 0) + 20.0 * r, "reuse_detected": 0, "refresh_calls": 5,
         "requests_failed": 0}
        for s in (*STRATEGIES, "locked+cross_tab_lock=true")
        for t in (1, 2, 4)
        for g in (0.0, 5.0)
        for r in (0, 1)
    ]  # fmt: skip
    fig = figures.fig_rotation_logouts(pd.DataFrame(rows))
    assert_labelled(fig)
    assert_legend_names(fig, (*STRATEGIES, figures.ROTATION_LABELS["locked+cross_tab_lock=true"]))
    assert "locked+cross_tab_lock" not in " ".join(legend_texts(fig))  # no raw label
    assert [ax.get_title() for ax in fig.axes] == ["no grace window", "grace window 5 s"]
    assert "(%)" in fig.axes[0].get_ylabel()
    naive = fig.axes[0].lines[0].get_ydata()  # the first client's line: the mean over the two seeds
    assert list(naive) == [20.0, 30.0, 50.0]


def test_tab_race_marks_the_logout_and_the_wait():
    events = figures.tab_race_data()
    fig = figures.fig_tab_race(events)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "per-tab lock (locked)\n2 refresh calls, the user is logged out",
        "lock across tabs\n1 refresh call, the user stays logged in",
        "grace window of 1 s\n2 refresh calls, the user stays logged in",
    ]
    texts = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert "401 (reused)" in texts[0] and "logout:\nboth tabs" in texts[0]
    assert "a5 + r4 (grace)" in texts[2]
    assert any("waits" in text for text in legend_texts(fig))
