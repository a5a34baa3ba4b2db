"""The runs behind the notebooks' sliders, each with the slider's starting values.

A slider re-runs a simulation every time it moves, so each of these must
answer in well under a second for its defaults; ``python -m sim bench``
times every one (``SLIDERS``). The notebooks call these functions and
format what they return; the scenarios they vary are spelled out here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .capacity import Capacity, CapacitySettings, capacity
from .client import Retry
from .config import Capacities, Latencies, TokenPolicy, Workload
from .experiment import Result, compare, run
from .figures import DIAGRAM_LATENCIES, OUTAGE_FILE, OUTAGE_START_S, ROTATION, RUSH, SKEW, sequence_diagram_data
from .matrix import situation as matrix_situation
from .parts import readers
from .playground import redraw
from .primer import Log, run_primer
from .scenario import Scenario
from .scenario_file import SCENARIOS_DIR, load_scenario, load_scenario_file

# notebooks/02: one request, alone, with the default latencies.
ONE_REQUEST = Scenario(workload=Workload(kind="burst", concurrency=1), record_calls=True, name="one-request")

# notebooks/05: 30 users loading a page of 4 requests every 5 s or so, tokens of 2 min.
STEADY_30 = Scenario(
    tokens=TokenPolicy(access_ttl_s=120),
    latencies=Latencies(service_distribution="exponential"),
    workload=Workload(kind="steady", users=30, concurrency=4, page_rate_per_s=0.2, duration_s=600),
    name="steady-30",
)

ARTICLE_FILE = SCENARIOS_DIR / "article.toml"


def primer_timeline(
    request_at_s: float = 12.0, rtt_s: float = 0.1, requests: int = 1, single_flight: bool = True
) -> Log:
    """notebooks/01: the primer's tab (``sim.primer``, token of 10 s, one auth worker) sending ``requests``
    requests 20 ms apart from ``request_at_s``, with this round trip; its log."""
    return run_primer(request_at_s=request_at_s, rtt_s=rtt_s, requests=requests, single_flight=single_flight)


def one_request(at_s: float = 901.0) -> Result:
    """notebooks/02: one request sent at ``at_s``, around the access token's death at 900 s."""
    return run(ONE_REQUEST.with_(at_s=at_s))


def burst_of(concurrency: int = 16, auth_capacity: int = 4) -> list[Result]:
    """notebooks/03: one tab fires ``concurrency`` requests after expiry; every preset."""
    scenario = Scenario(
        capacities=Capacities(auth_capacity=auth_capacity),
        workload=Workload(kind="burst", concurrency=concurrency),
        name="burst",
    )
    return compare(scenario)


def spaced_burst(gap_ms: float = 70, requests: int = 4) -> pd.DataFrame:
    """notebooks/04: ``requests`` requests ``gap_ms`` apart after expiry, call by call, naive and locked."""
    return sequence_diagram_data(requests=requests, gap_ms=gap_ms, strategies=("naive", "locked"))


def burst_requests(events: pd.DataFrame) -> pd.DataFrame:
    """notebooks/05: what happened to each request of a burst, one row per (strategy, request).

    ``events`` is ``sim.figures.sequence_diagram_data()`` (times in ms since the burst's first
    request). ``asked_ms`` is when the app asked for the request, ``held_ms`` how long the client
    held it before sending it at all (``queued``), ``answered_ms`` its final answer and
    ``latency_ms`` the time between the two. ``api_calls`` counts its tries, ``got_401`` its 401s,
    and ``late_401`` those answered after the strategy's first new token was stored.
    """
    api = events[events["kind"] == "api"]
    stored_ms = events[events["kind"] == "stored"].groupby("strategy")["received_ms"].min()
    late = (api["status"] == 401) & (api["received_ms"] > api["strategy"].map(stored_ms))
    rows = api.assign(got_401=api["status"] == 401, late_401=late).groupby(["strategy", "request"], sort=False)
    table = rows.agg(
        asked_ms=("created_ms", "min"),
        first_sent_ms=("sent_ms", "min"),
        answered_ms=("received_ms", "max"),
        api_calls=("status", "size"),
        got_401=("got_401", "sum"),
        late_401=("late_401", "sum"),
    )
    table.insert(2, "held_ms", table["first_sent_ms"] - table["asked_ms"])
    table["latency_ms"] = table["answered_ms"] - table["asked_ms"]
    return table.astype({"got_401": int, "late_401": int})


def locked_vs_queued(**changes: float) -> list[Result]:
    """notebooks/05: locked and queued on ``STEADY_30`` with ``changes`` applied."""
    return compare(STEADY_30.with_(**changes), ["locked", "queued"])


def holding(auth_service_s: float = 1.0, page_rate_per_s: float = 0.2) -> list[Result]:
    """notebooks/05: ``locked_vs_queued`` with a refresh time and a page rate."""
    return locked_vs_queued(auth_service_s=auth_service_s, page_rate_per_s=page_rate_per_s)


def architect(users: int = 50, auth_capacity: int = 8) -> list[Result]:
    """notebooks/06: the article's scenario with ``users`` for 1800 s and ``auth_capacity`` auth workers."""
    article, strategies = load_scenario(ARTICLE_FILE)
    return compare(article.with_(users=users, auth_capacity=auth_capacity, duration_s=1800), strategies)


def auth_room(auth_service_s: float = 0.1, auth_capacity: int = 1) -> list[Result]:
    """notebooks/07: the small morning rush with this much auth work and these workers, naive and locked."""
    return compare(RUSH.with_(auth_service_s=auth_service_s, auth_capacity=auth_capacity), ["naive", "locked"])


def rotation_tabs(
    tabs: int = 2, grace_s: float = 0.0, cross_tab_lock: bool = False, storage: str = "local"
) -> list[Result]:
    """notebooks/08: the rotation morning (``sim.figures.ROTATION``) with these tabs, grace window,
    lock across tabs and storage; every preset."""
    return compare(ROTATION.with_(tabs=tabs, grace_s=grace_s, cross_tab_lock=cross_tab_lock, storage=storage))


def clock_and_margin(
    margin_s: float = 60.0, clock_offset_s: float = 0.0, expiry_from: str = "exp", skew_estimation: bool = False
) -> Result:
    """notebooks/09: the clock-skew scenario (``sim.figures.SKEW``: a client refreshing on use before
    its 5 min tokens expire) with this margin, clock offset and expiry rule."""
    fields = {"skew_estimation": skew_estimation} if expiry_from == "exp" else {}
    return run(SKEW.with_(margin_s=margin_s, clock_offset_s=clock_offset_s, expiry_from=expiry_from, **fields))


# notebooks/10: scenarios/outage.toml at half size, 50 users and one auth worker (half the load,
# half the capacity: the same headroom), watched for 90 s after the outage ends.
HALF_OUTAGE = {"users": 50, "auth_capacity": 1}
OUTAGE_WATCHED_S = 90.0
OUTAGE_RETRIES = {"max_tries": 5, "retry_base_s": 1.0, "retry_cap_s": 30.0}  # the file's backoff variant
OUTAGE_BUDGET = "0.2:3"  # ... and its retry budget: 0.2 retries a second per browser, 3 at most


def outage_and_retries(
    outage_s: float = 30.0, strategy: str = "naive", retry: str = "none", budget: bool = False
) -> Result:
    """notebooks/10: ``scenarios/outage.toml`` at half size (``HALF_OUTAGE``) with a silent outage of
    ``outage_s`` from 300 s, run until 90 s after it; ``strategy`` retries a refresh that got no answer
    by ``retry`` (5 tries at most, base 1 s, cap 30 s), within the file's retry budget if ``budget``."""
    end_s = OUTAGE_START_S + outage_s
    fields: dict[str, object] = {} if retry == "none" else {"retry": retry}
    fields.update({name: value for name, value in OUTAGE_RETRIES.items() if retry in readers(Retry, name)})
    if budget and retry != "none":
        fields["retry_budget"] = OUTAGE_BUDGET
    scenario = load_scenario_file(OUTAGE_FILE).scenario.with_(
        **HALF_OUTAGE, duration_s=end_s + OUTAGE_WATCHED_S, auth_outages=f"{OUTAGE_START_S:g}:{end_s:g}:silent"
    )
    return run(scenario.with_(strategy=strategy, **fields))


def library_in(
    situation: str = "burst", library: str = "axios-auth-refresh-5", server: str = "article", **fields: object
) -> pd.Series:
    """notebooks/11: one cell of the decision matrix (``sim.matrix``): ``library`` in ``situation``
    against ``server``, with ``fields`` changed; the matrix's four numbers, then its requests and users."""
    scenario = matrix_situation(situation, server).with_(client=library, **fields)
    s = run(scenario).summary
    users = scenario.workload.users
    return pd.Series({"refresh_per_user": s["refresh_calls"] / users, "requests_failed": s["requests_failed"],
                      "logouts": s["logouts"], "latency_p95_ms": 1000 * s["expiry_latency_p95_s"],
                      "requests": s["requests"], "users": users})  # fmt: skip


# notebooks/12: one session's two requests at 901 s, just after its access token died, through a BFF of
# two round-robin instances, under rotation with reuse detection; the diagram's round numbers for the
# BFF's own calls, 40 ms from the browser to the BFF and back, 2 ms to read the session.
BFF_RACE = Scenario(
    latencies=DIAGRAM_LATENCIES, workload=Workload(kind="burst", concurrency=2, at_s=901.0), name="bff-race"
).with_(tier="bff", instances=2, balancer="round-robin", bff_rtt_s=0.04, store_rtt_s=0.002, rotation=True,
        reuse_detection=True)  # fmt: skip
BFF_LOCK = {"session_lock": "distributed", "lock_acquire_s": 0.002, "lock_poll_s": 0.05}


def bff_race(
    instances: int = 2,
    requests: int = 2,
    balancer: str = "round-robin",
    single_flight: bool = False,
    lock: bool = False,
    grace_s: float = 0.0,
) -> Result:
    """notebooks/12: ``BFF_RACE`` with ``requests`` requests at once on ``instances`` instances picked by
    ``balancer``; a single flight per instance, a lock in the session store (``BFF_LOCK``) and a grace
    window at the server as asked."""
    fields: dict[str, object] = {"single_flight": "tab" if single_flight else "none", **(BFF_LOCK if lock else {})}
    return run(BFF_RACE.with_(instances=instances, concurrency=requests, balancer=balancer, grace_s=grace_s, **fields))


def one_user_at(times_s: tuple[float, ...], scenario: Scenario) -> Scenario:
    """notebooks/12: ``scenario`` with one user whose requests leave at exactly ``times_s`` (the first logs in):
    a trace workload, its arrivals written to a temporary CSV file."""
    folder = Path(tempfile.mkdtemp(prefix="one-user-"))
    arrivals = folder / "arrivals.csv"
    arrivals.write_text("time_s,user\n" + "".join(f"{time_s!r},0\n" for time_s in times_s))
    return scenario.with_(workload=Workload(kind="trace", arrivals=str(arrivals)))


# notebooks/13: a million users over three hours on the article's numbers, the auth server's 30 ms a refresh.
CAPACITY_MORNING = Scenario(name="capacity-morning").with_(kind="steady", users=1_000_000, duration_s=3 * 3600.0)
CAPACITY_JITTER = {"proactive": "on-use", "margin_s": 60.0}  # with margin_jitter_s: refresh on use, early


def capacity_of(
    users: int = 1_000_000, client: str = "locked", logins: str = "synchronized", jitter_s: float = 0.0,
    workers: int = 0,
) -> Capacity:  # fmt: skip
    """notebooks/13: the capacity model of ``CAPACITY_MORNING`` for ``users`` of ``client`` logging in as
    ``logins`` says, on ``workers`` auth workers (0: as many as it takes); a ``jitter_s`` above 0 makes the
    client refresh on use 60 s early plus up to that much more at random."""
    early = {**CAPACITY_JITTER, "margin_jitter_s": jitter_s} if jitter_s else {}
    scenario = CAPACITY_MORNING.with_(users=users, client=client, auth_capacity=workers, **early)
    return capacity(scenario, CapacitySettings(logins=logins))


# notebook -> the function its slider calls (at its defaults, the slider's starting values)
SLIDERS: dict[str, Callable[[], object]] = {
    "01-simulate-with-simpy": primer_timeline,
    "02-two-tokens": one_request,
    "03-refresh-storm": burst_of,
    "04-single-flight-lock": spaced_burst,
    "05-queue-and-replay": holding,
    "06-comparing-strategies": architect,
    "07-sensitivity": auth_room,
    "08-rotation-and-tabs": rotation_tabs,
    "09-proactive-refresh": clock_and_margin,
    "10-outages-and-backoff": outage_and_retries,
    "11-choosing-a-library": library_in,
    "12-backend-for-frontend": bff_race,
    "13-capacity-at-scale": capacity_of,
    "playground": redraw,  # make playground: one move of any control, picture included
}
