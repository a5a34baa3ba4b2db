"""The article's real stack runs: its server in Node, its interceptor in real Chromium tabs.

A small subset of `make reality` (reality/run.py): two cases whose real outcome does not depend
on timing, each repeated. Node (`apt-get install -y nodejs npm` where it is missing) and Chromium
come from the distribution; the server's packages are installed from the npm registry by `npm ci`
(reality/package-lock.json) on first use. Without Node or Chromium the tests are skipped with that
instruction, except in CI (`CI=true`), where either missing is a failure.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browsers import INSTALL_CHROMIUM, chromium, missing

REALITY = Path(__file__).resolve().parents[1] / "reality"


@pytest.fixture(scope="module")
def harness():
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("Node.js (install it with `apt-get install -y nodejs npm`, Debian)", "real-stack tests")
    if chromium() is None:
        missing(f"Chromium ({INSTALL_CHROMIUM})", "real-stack tests")
    pytest.importorskip("playwright.sync_api")
    if not (REALITY / "node_modules" / "express").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REALITY, check=True, timeout=300)
    sys.path.insert(0, str(REALITY))
    try:
        import run  # noqa: PLC0415  (reality/run.py)

        yield run
    finally:
        sys.path.remove(str(REALITY))


def counts(report: dict, name: str) -> list[tuple[int, int, int]]:
    """Per repetition: refresh calls at the server, requests answered 200, logouts in the tabs."""
    (entry,) = [case for case in report["cases"] if case["name"] == name]
    return [
        (
            run["server"]["refresh_calls"],
            sum(record["status"] == 200 for tab in run["tabs"] for record in tab["records"]),
            sum(tab["logouts"] for tab in run["tabs"]),
        )
        for run in entry["runs"]
    ]


def test_the_article_refreshes_once_per_request_and_a_lock_once_per_tab(harness):
    cases = [harness.Case("naive", 1, 5, False), harness.Case("locked", 2, 3, False)]
    report = harness.run_matrix(cases, repetitions=2, progress=lambda line: None)
    assert counts(report, cases[0].name) == [(5, 5, 0)] * 2  # the article's warning, for real
    assert counts(report, cases[1].name) == [(2, 6, 0)] * 2  # one refresh per tab, none across tabs
    assert report["versions"]["packages"] == {"express": "5.3.0", "jsonwebtoken": "9.0.3", "axios": "1.21.1"}
    for case in report["cases"]:
        for run in case["runs"]:
            calls = run["server"]["calls"]
            assert all(call["answered_ms"] >= call["arrived_ms"] >= run["burst_at_ms"] - 1000 for call in calls)
            assert {call["endpoint"] for call in calls} == {"/login", "/protected-resource", "/refresh-token"}


def test_a_tab_sees_another_tabs_write_soon_and_the_probe_says_how_often_under_the_lock_it_is_late(harness):
    import storage_probe  # noqa: PLC0415  (reality/storage_probe.py, beside run.py)

    report = storage_probe.measure(samples=20, gap_ms=10, handoffs=20, holds_ms=(5, 20), worker_starts=3)
    delays = report["delay"]["delays_ms"]
    assert report["delay"]["seen"] == 20 == len(delays)  # every write shows in the other tab
    assert all(delay >= 0 for delay in delays) and sorted(delays)[10] < 100  # soon: well under 100 ms
    handoff = report["handoff"]
    assert 0 <= handoff["old_value_read"] <= handoff["tries"] == 20 == len(handoff["grants_ms"])
    assert all(0 <= grant < 1000 for grant in handoff["grants_ms"])  # the lock passes: within a second
    assert handoff["fresh"].count(False) == handoff["old_value_read"]
    # a new SharedWorker takes a while to start; a message to a running one is much quicker
    worker = report["worker"]
    assert len(worker["first_answer_ms"]) == 3 == len(worker["next_answer_ms"])
    assert min(worker["first_answer_ms"]) > max(worker["next_answer_ms"])
    copy = storage_probe.model_copy(report)
    assert copy["visibility_ms"] == delays and copy["handoffs_old_value"] == handoff["old_value_read"]


def test_a_real_python_client_refreshes_once_per_thread_that_finds_its_token_due(harness):
    """Authlib's OAuth2Session shared by 4 threads, its token due: 4 refreshes, as the preset says."""
    import python_clients  # noqa: PLC0415  (reality/python_clients.py, beside run.py)

    report = python_clients.run_cases([python_clients.PythonCase("authlib-sync", 4, False)], 2, lambda line: None)
    for run in report["cases"][0]["runs"]:
        assert run["server"]["refresh_calls"] == 4
        assert [request["status"] for request in run["requests"]] == [200] * 4


def test_the_refresh_in_one_shared_worker_sends_one_for_every_tab_under_rotation(harness):
    """The fix that holds: 3 tabs of 3 requests, rotation with reuse detection, one refresh, nothing lost."""
    case = harness.Case("worker", 3, 3, True)
    report = harness.run_matrix([case], repetitions=2, progress=lambda line: None)
    assert counts(report, case.name) == [(1, 9, 0)] * 2
    assert all(run["server"]["families_revoked"] == 0 for run in report["cases"][0]["runs"])
