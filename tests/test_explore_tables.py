"""sim.explore.burst_requests: a burst's calls, one row per request, checked against a hand-made timeline."""

import pandas as pd

import sim.explore
from sim.figures import sequence_diagram_data


def test_burst_requests_on_a_hand_computed_timeline():
    """Two requests 150 ms apart (round trip 100 ms, 401 in 10 ms, data in 50 ms, refresh in 20 ms).

    Request 1 gets its 401 at 110 ms and starts the refresh, stored at 230; its retry answers at 380.
    Request 2 is asked for at 150, while the refresh is in flight: ``locked`` sends it with the dead
    token, its 401 comes back at 260, after the store (a late 401), and its retry at once answers at
    410; ``queued`` holds it until 230 and its one call answers at 380.
    """
    events = sequence_diagram_data(requests=2, gap_ms=150, strategies=("locked", "queued"))
    table = sim.explore.burst_requests(events)
    columns = ["asked_ms", "held_ms", "answered_ms", "latency_ms", "api_calls", "got_401", "late_401"]
    expected = pd.DataFrame(
        [
            ("locked", 1, 0, 0, 380, 380, 2, 1, 0),
            ("locked", 2, 150, 0, 410, 260, 2, 1, 1),
            ("queued", 1, 0, 0, 380, 380, 2, 1, 0),
            ("queued", 2, 150, 80, 380, 230, 1, 0, 0),
        ],
        columns=["strategy", "request", *columns],
    ).set_index(["strategy", "request"])
    assert list(table.index) == list(expected.index)
    pd.testing.assert_frame_equal(table[columns].round(6), expected, check_dtype=False)


def test_burst_requests_counts_every_call_of_the_burst():
    events = sequence_diagram_data(requests=4, gap_ms=70, strategies=("naive", "locked", "queued"))
    table = sim.explore.burst_requests(events)
    api = events[events["kind"] == "api"]
    assert table["api_calls"].sum() == len(api)
    assert table["got_401"].sum() == (api["status"] == 401).sum()
    assert (table["late_401"] <= table["got_401"]).all() and (table["held_ms"] >= 0).all()
    assert table.loc["queued", "late_401"].sum() == 0  # queued sends nothing with the dead token after the store
