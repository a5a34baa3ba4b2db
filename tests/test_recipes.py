"""The recipes of docs/architecture.md, followed from the public API alone: a named client of one's
own, a fault of one's own, and a figure of one's own."""

import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim import Client, Scenario, Status, Workload
from sim.client import PerTab
from sim.config import Faults
from sim.config.faults import Refusal
from sim.presets import CLIENTS, NamedClient, Source, register

BURST = Scenario(workload=Workload(kind="burst", concurrency=5))


@pytest.fixture
def toy_client(monkeypatch):
    """Recipe 1: a named client is one composition, registered under its name."""
    monkeypatch.setattr(sim.presets, "CLIENTS", dict(CLIENTS))  # leave the shared registry as it was
    toy = NamedClient(
        Client(name="toy", single_flight=PerTab(), late_401_check=True, max_retries=2),
        "library",
        "a toy interceptor: one refresh per tab, two rounds per request",
        sources=(Source("max_retries", "2", "tests/test_recipes.py", "max_retries=2"),),
        left_out="everything a real library does",
    )
    register(toy)
    return toy


def test_a_named_client_of_ones_own_runs_anywhere_a_name_does(toy_client):
    result = sim.run(BURST.with_(client="toy"))
    assert (result.strategy, result.summary["refresh_calls"], result.summary["requests_ok"]) == ("toy", 1, 5)
    changed = BURST.with_(client="toy", max_retries=0)
    assert changed.strategy == "toy+max_retries=0" and sim.run(changed).summary["refresh_calls"] == 0
    labels = [r.strategy for r in sim.compare(BURST.with_(cross_tab_lock=True), ["naive", "toy"])]
    assert labels == ["naive+cross_tab_lock=true", "toy+cross_tab_lock=true"]


class EveryOtherRefused:
    """Recipe 2: a fault of one's own, a class with a hook of ``AuthFault``: the auth server turns every
    other refresh call away with 503 (a flapping load balancer, say)."""

    def __init__(self):
        self.calls = 0  # a fresh object per run: Faults.custom holds the class, which makes one

    def refusal(self, now_s):
        self.calls += 1
        return Refusal(Status.UNAVAILABLE, "flapping") if self.calls % 2 == 0 else None


def test_a_fault_of_ones_own_is_a_class_with_a_hook():
    # Five refreshes at once: calls 2 and 4 are turned away and retried at once as calls 6 and 7; 6 is
    # turned away again, and with two tries in all that request fails (the session is kept).
    scenario = BURST.with_(faults=Faults(custom=(EveryOtherRefused,)), retry="immediate", max_tries=2)
    first, again = sim.run(scenario.with_(retries_exhausted="fail")), sim.run(scenario.with_(retries_exhausted="fail"))
    refreshes = first.refreshes
    assert sorted(refreshes["status"]) == [200] * 4 + [503] * 3
    assert set(refreshes.loc[refreshes["status"] == 503, "outcome"]) == {"flapping"}
    assert (first.summary["requests_ok"], first.summary["requests_failed"], first.summary["logouts"]) == (4, 1, 0)
    assert first.summary == {**again.summary, "wall_time_s": first.summary["wall_time_s"]}  # a fresh fault per run


def refreshes_by_burst() -> pd.DataFrame:
    """Recipe 3, the data: a figure's data function runs the model with fixed seeds."""
    rows = []
    for burst in (1, 4):
        for result in sim.compare(BURST.with_(concurrency=burst), ["naive", "locked"]):
            rows.append({"strategy": result.strategy, "burst": burst, "refresh_calls": result.summary["refresh_calls"]})
    return pd.DataFrame(rows)


def fig_refreshes_by_burst(data: pd.DataFrame) -> Figure:
    """... and its drawing runs nothing."""
    figure = Figure(figsize=(4, 3))
    ax = figure.add_subplot()
    for strategy, rows in data.groupby("strategy"):
        ax.plot(rows["burst"], rows["refresh_calls"], marker="o", label=strategy)
    ax.set(xlabel="requests in the burst", ylabel="refresh calls")
    ax.legend()
    return figure


def test_a_figure_of_ones_own_is_a_data_function_a_drawing_and_a_spec(tmp_path):
    from sim.figures import FigureSpec, build_all, read_csv_text

    spec = FigureSpec("toy", "Refreshes by burst", "naive sends one refresh per request, locked one per burst.",
                      refreshes_by_burst, fig_refreshes_by_burst, ())  # fmt: skip
    written = build_all(tmp_path, specs=[spec])
    assert sorted(path.name for path in written) == ["README.md", "toy.csv", "toy.png"]
    data = read_csv_text((tmp_path / "toy.csv").read_text())
    assert data.set_index(["strategy", "burst"])["refresh_calls"].to_dict() == {
        ("naive", 1): 1, ("naive", 4): 4, ("locked", 1): 1, ("locked", 4): 1,
    }  # fmt: skip
    assert (tmp_path / "toy.png").read_bytes().startswith(b"\x89PNG")
    assert "## Refreshes by burst" in (tmp_path / "README.md").read_text()
