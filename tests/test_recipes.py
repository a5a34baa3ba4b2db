"""The recipes of docs/architecture.md, followed from the public API alone: a named client of one's
own, and a fault of one's own (the figure's recipe is followed in tests/test_figures.py)."""

import pytest

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
