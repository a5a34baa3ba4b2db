"""The model beside the committed real runs (reality/results.json): no drift unseen.

The real stack itself runs in tests/test_reality_stack.py (Node and Chromium); here only the
model reruns, on the committed cases, and must give what reality/comparison.csv says it gave.
A change to the model that moves any of these numbers fails here: rerun `make reality` (or
`.venv/bin/python -m sim.reality` for the model alone) and commit the new comparison with it.
"""

import json

import pandas as pd
import pytest

from sim import ConfigError
from sim.reality import METRICS, RESULTS, comparison, format_table, scenario_for

COMMITTED = RESULTS.with_name("comparison.csv")


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(RESULTS.read_text())


def test_the_model_on_the_real_cases_has_not_drifted(results):
    fresh = comparison(results)
    committed = pd.read_csv(COMMITTED)
    pd.testing.assert_frame_equal(fresh, committed, check_dtype=False)


def test_every_case_and_metric_is_compared(results):
    table = comparison(results)
    assert len(table) == len(results["cases"]) * len(METRICS)
    assert set(table["metric"]) == set(METRICS)
    assert "outside the real range" in format_table(table)


def test_the_results_say_what_ran(results):
    versions = results["versions"]
    assert set(versions["packages"]) == {"express", "jsonwebtoken", "axios"}
    assert versions["chromium"] and versions["node"].startswith("v")
    assert all(len(case["runs"]) == results["repetitions"] >= 3 for case in results["cases"])


def test_a_real_case_becomes_the_scenario_of_its_shape():
    case = {
        "strategy": "weblock",
        "tabs": 3,
        "requests_per_tab": 4,
        "rotation": True,
        "api_wait_ms": 50,
        "auth_wait_ms": 20,
    }
    scenario = scenario_for(case)
    assert (scenario.workload.kind, scenario.workload.tabs, scenario.workload.concurrency) == ("burst", 3, 4)
    assert (
        scenario.client.cross_tab_lock and scenario.refresh_tokens.rotation and scenario.refresh_tokens.reuse_detection
    )
    assert (scenario.latencies.api_service_s, scenario.latencies.auth_service_s) == (0.05, 0.02)
    assert scenario.browser.max_connections == 6
    with pytest.raises(KeyError):
        scenario_for({**case, "strategy": "queued-in-a-worker"})


def test_a_case_with_a_bad_value_is_refused_in_one_line():
    case = {
        "strategy": "naive",
        "tabs": 0,
        "requests_per_tab": 4,
        "rotation": False,
        "api_wait_ms": 50,
        "auth_wait_ms": 20,
    }
    with pytest.raises(ConfigError, match="tabs = 0"):
        scenario_for(case)
