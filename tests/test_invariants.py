"""Invariants over random configurations (Hypothesis), Ciw style.

Each example runs one small scenario with a random client: a preset with
any of its policy fields set otherwise, so the whole policy space is
searched. The run is watched from the inside: the id of every request the
app made and every ``ClientTab`` are kept, so the records can be checked
against what really happened.
"""

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from sim import Capacities, ClientPolicy, Latencies, RefreshTokenPolicy, Scenario, TokenPolicy, Workload, experiment
from sim.client import Browser
from sim.config import Clocks, Faults
from sim.metrics import json_ready
from sim.records import REASONS
from sim.servers import families


class Observed:
    """A finished run plus the requests and tabs it created."""

    def __init__(self, scenario):
        made, browsers, accepted = [], [], []
        accept = families.Families.accepted

        def seen(send):
            def seen_send(tab, request_id, created_s):
                made.append(request_id)
                send(tab, request_id, created_s)

            return seen_send

        class SeenBrowser(Browser):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                browsers.append(self)

        def seen_accepted(self, refresh_jti, now_s):
            family = accept(self, refresh_jti, now_s)
            accepted.append((family.id, family.revoked))
            return family

        with (
            mock.patch.dict(experiment.SENDERS, {mode: seen(send) for mode, send in experiment.SENDERS.items()}),
            mock.patch.object(experiment, "Browser", SeenBrowser),
            mock.patch.object(families.Families, "accepted", seen_accepted),
        ):
            self.result = experiment.run(scenario)
        self.made = made
        self.browsers = browsers
        self.sessions = [tab for browser in browsers for tab in browser.tabs]
        self.accepted = accepted  # (family, revoked then) for every refresh the server accepted
        self.policy = scenario.client.policy()
        self.tabs = scenario.workload.tabs if scenario.workload.kind != "trace" else 1


seconds = st.floats(0.0, 0.2, allow_nan=False)
TRACES = Path(tempfile.mkdtemp(prefix="sim-traces-"))
atexit.register(shutil.rmtree, TRACES, ignore_errors=True)


def trace_file(rows):
    """A CSV of ``(time_s, user)`` rows, named by its content."""
    text = "time_s,user\n" + "".join(f"{time_s!r},u{user}\n" for time_s, user in rows)
    path = TRACES / f"{hashlib.sha1(text.encode()).hexdigest()}.csv"
    path.write_text(text)
    return str(path)


trace_rows = st.lists(st.tuples(st.floats(0.0, 120.0), st.integers(0, 4)), min_size=1, max_size=40)


def maybe(values):
    """A policy field left to its preset (``None``) or set to one of ``values``."""
    return st.none() | values


@st.composite
def clients(draw, strategies=("naive", "locked", "queued")):
    """A preset with any of its policy fields set otherwise."""
    proactive = draw(maybe(st.sampled_from(["off", "on-use", "timer", "background"])))
    early = {}
    if proactive not in (None, "off"):  # the settings only a proactive client reads
        expiry_from = draw(maybe(st.sampled_from(["exp", "expires_in"])))
        early = {
            "margin_s": draw(maybe(st.floats(0.0, 20.0))),
            "margin_jitter_s": draw(maybe(st.floats(0.0, 10.0))),
            "xfetch_beta": draw(maybe(st.floats(0.0, 3.0))),
            "expiry_from": expiry_from,
            "skew_estimation": draw(maybe(st.booleans())) if expiry_from in (None, "exp") else None,
            "timer_tick_s": draw(maybe(st.floats(0.5, 10.0))) if proactive == "timer" else None,
        }
    return ClientPolicy(
        strategy=draw(st.sampled_from(strategies)),
        proactive=proactive,
        **early,
        single_flight=draw(maybe(st.sampled_from(["none", "tab"]))),
        hold_while_refreshing=draw(maybe(st.booleans())),
        late_401_check=draw(maybe(st.booleans())),
        max_retries=draw(maybe(st.integers(0, 4))),
        storage=draw(maybe(st.sampled_from(["local", "cookie"]))),
        cross_tab_lock=draw(maybe(st.booleans())),
        relogin_after_s=draw(st.none() | st.floats(0.0, 30.0)),
    )


@st.composite
def scenarios(draw, strategies=("naive", "locked", "queued"), where=lambda policy: True):
    """A small random scenario whose resolved client policy satisfies ``where``."""
    access_ttl_s = draw(st.integers(1, 30))
    kind = draw(st.sampled_from(["burst", "steady", "trace"]))
    rotation = draw(st.booleans())
    detection = rotation and draw(st.booleans())
    refresh_tokens = RefreshTokenPolicy(
        rotation=rotation,
        reuse_detection=detection,
        revoke_access_on_reuse=detection and draw(st.booleans()),
        grace_s=draw(st.sampled_from([0.0, 0.1, 1.0, 30.0])) if rotation else 0.0,
        reuse_count=draw(st.integers(0, 2)) if rotation else 0,
        refresh_idle_ttl_s=draw(st.none() | st.integers(1, 60)),
    )
    workload = Workload(
        kind=kind,
        users=draw(st.integers(1, 5)),
        tabs=draw(st.integers(1, 4)) if kind != "trace" else 1,
        concurrency=draw(st.integers(1, 8)),
        at_s=draw(st.none() | st.floats(0.0, 90.0)),
        page_rate_per_s=draw(st.floats(0.05, 0.5)),
        duration_s=draw(st.floats(60.0, 200.0)),
        synchronized=draw(st.booleans()),
        arrivals=trace_file(draw(trace_rows)) if kind == "trace" else None,
    )
    return Scenario(
        tokens=TokenPolicy(
            access_ttl_s=access_ttl_s,
            refresh_ttl_s=draw(st.integers(access_ttl_s, 300)),
            leeway_s=draw(st.sampled_from([0.0, 0.5])),
            access_ttl_spread_s=draw(st.sampled_from([0, 0, 5])),
        ),
        clocks=Clocks(
            clock_offset_s=draw(st.sampled_from([0.0, 0.0, -20.0, 3.0, 40.0])),
            clock_offset_sd_s=draw(st.sampled_from([0.0, 0.0, 10.0])),
        ),
        faults=Faults(unfixable_401_rate=draw(st.sampled_from([0.0, 0.0, 0.2, 1.0]))),
        refresh_tokens=refresh_tokens,
        latencies=Latencies(
            rtt_s=draw(st.floats(0.0, 0.3)),
            api_service_s=draw(seconds),
            api_401_service_s=draw(st.floats(0.0, 0.02)),
            auth_service_s=draw(seconds),
            service_distribution=draw(st.sampled_from(["fixed", "exponential"])),
        ),
        capacities=Capacities(
            api_capacity=draw(st.integers(0, 3)),
            auth_capacity=draw(st.integers(0, 3)),
        ),
        workload=workload,
        client=draw(clients(strategies).filter(lambda client: where(client.policy()))),
        seed=draw(st.integers(0, 2**16)),
        record_calls=True,
    )


def per_session(frame):
    return {session: rows for session, rows in frame.groupby("session")}


@given(scenarios())
def test_every_request_ends_exactly_once(scenario):
    seen = Observed(scenario)
    requests = seen.result.requests

    assert sorted(requests["request"]) == sorted(seen.made)
    assert list(requests["request"]) == list(range(len(seen.made)))
    assert set(requests["reason"]) <= set(REASONS)
    assert (requests["finished_s"] >= requests["created_s"]).all()
    assert (requests["held_s"] >= 0).all()
    assert (requests["held_s"] <= requests["latency_s"] + 1e-9).all()


@given(scenarios())
def test_nothing_is_left_waiting(scenario):
    seen = Observed(scenario)

    assert all(session.refreshing is None for session in seen.sessions)
    calls = seen.result.calls
    assert (calls["received_s"] <= seen.result.sim_time_s).all()
    in_order = ["sent_s", "arrived_s", "started_s", "served_s", "received_s"]
    assert (calls[in_order].diff(axis=1).iloc[:, 1:] >= 0).all().all()


@given(scenarios())
def test_a_request_never_retries_more_than_its_limit(scenario):
    seen = Observed(scenario)
    requests, limit = seen.result.requests, seen.policy.max_retries
    reason = requests["reason"]

    assert requests["api_calls"].between(0, 1 + limit).all()
    ok = requests[reason == "ok"]  # only the last call succeeded
    assert (ok["unauthorized"] == ok["api_calls"] - 1).all()
    denied = requests[reason == "unauthorized"]  # a 401 past the last retry is final
    assert ((denied["api_calls"] == 1 + limit) & (denied["unauthorized"] == 1 + limit)).all()
    out = requests[reason == "logged_out"]  # sent nothing, or every call got a 401 and a refresh failed
    assert (out["api_calls"] == out["unauthorized"]).all()
    assert (out["api_calls"] <= limit).all()


@given(scenarios())
def test_api_call_records_match_the_requests(scenario):
    result = Observed(scenario).result
    api = result.calls[result.calls["server"] == "api"]
    counted = api.groupby("request").agg(calls=("status", "size"), denied=("status", lambda s: (s == 401).sum()))
    requests = result.requests.set_index("request")

    sent = requests[requests["api_calls"] > 0]
    assert list(counted.index) == list(sent.index)
    assert list(counted["calls"]) == list(sent["api_calls"])
    assert list(counted["denied"]) == list(sent["unauthorized"])


@given(scenarios())
def test_summary_counts_add_up(scenario):
    seen = Observed(scenario)
    summary = seen.result.summary
    events = seen.result.token_events

    assert summary["requests"] == len(seen.made)
    assert summary["requests_ok"] + summary["requests_failed"] == len(seen.made)
    assert summary["logouts"] == (events["event"] == "logout").sum()
    assert summary["logouts"] == sum(browser.logouts for browser in seen.browsers)


@given(scenarios())
def test_users_go_login_logout_login(scenario):
    """A user's logins and logouts (whichever tab notes them) alternate, tokens are stored only
    while logged in, a logout answers a failed refresh, and a re-login waits its think time."""
    seen = Observed(scenario)
    result = seen.result
    failed = result.refreshes[result.refreshes["status"] == 401]
    relogin_after_s = scenario.client.relogin_after_s

    for user, events in result.token_events.groupby(result.token_events["session"] // seen.tabs):
        logged_in, logged_out_at = False, None
        for time_s, event in zip(events["time_s"], events["event"], strict=True):
            if event == "login":
                assert not logged_in
                if logged_out_at is not None:
                    assert relogin_after_s is not None
                    assert time_s >= logged_out_at + relogin_after_s
                logged_in = True
            else:
                assert logged_in, f"{event} while logged out"
            if event == "logout":
                mine = failed[failed["session"] // seen.tabs == user]
                assert (mine["received_s"] == time_s).any()
                logged_in, logged_out_at = False, time_s


@given(scenarios(where=lambda policy: policy.single_flight == "tab"))
def test_single_flight_never_overlaps_refreshes(scenario):
    seen = Observed(scenario)

    for _, refreshes in per_session(seen.result.refreshes).items():
        refreshes = refreshes.sort_values("sent_s")
        assert (refreshes["sent_s"].iloc[1:].to_numpy() >= refreshes["received_s"].iloc[:-1].to_numpy()).all()
        assert (refreshes["request"] == -1).all()  # the tab's refresh, not a request's
        if seen.policy.late_401_check:  # a late 401 is noticed: one refresh per dead token (a tab with
            triggers = refreshes["trigger"]  # none of its own, in cookie storage, refreshes for "")
            assert not triggers[triggers != ""].duplicated().any()


@given(scenarios(where=lambda policy: policy.single_flight == "none"))
def test_without_single_flight_every_round_may_send_its_own_refresh(scenario):
    seen = Observed(scenario)
    requests, limit = seen.result.requests, seen.policy.max_retries
    # a round of refresh-and-retry starts after each 401 that is not past the last retry
    rounds = requests["unauthorized"].where(requests["reason"] != "unauthorized", limit)
    sent = seen.result.refreshes.groupby("request").size().reindex(requests["request"], fill_value=0)

    refreshes = seen.result.refreshes  # each belongs to the request that sent it, or is proactive
    assert (refreshes["request"] == -1).sum() == seen.result.summary["proactive_refreshes"]
    tries = seen.policy.max_tries if seen.policy.retry != "none" else 1  # a round may try several times
    sent, rounds = sent.to_numpy(), rounds.to_numpy()
    assert (sent <= rounds * tries).all()
    # a round sends at least one try, unless a late 401 or another tab's refresh made it needless,
    # or the user was on the login page by then
    if not (seen.policy.late_401_check or seen.policy.cross_tab_lock):
        kept = (requests["reason"] != "logged_out").to_numpy()
        assert (sent[kept] >= rounds[kept]).all()


@given(scenarios(where=lambda policy: policy.hold_while_refreshing and policy.single_flight == "tab"))
def test_held_requests_made_during_a_refresh(scenario):
    result = Observed(scenario).result
    requests = per_session(result.requests)

    for session, refreshes in per_session(result.refreshes).items():
        made = requests.get(session, result.requests.iloc[:0])
        for sent_s, received_s in zip(refreshes["sent_s"], refreshes["received_s"], strict=True):
            during = made[(made["created_s"] > sent_s) & (made["created_s"] < received_s)]
            refused = (during["reason"] == "logged_out") & (during["latency_s"] == 0)  # made on the login page
            assert (during.loc[~refused, "held_s"] > 0).all()


@given(scenarios(where=lambda policy: policy.cross_tab_lock))
def test_a_lock_across_tabs_means_one_refresh_at_a_time_per_user(scenario):
    seen = Observed(scenario)
    refreshes = seen.result.refreshes

    for _, mine in refreshes.groupby(refreshes["session"] // seen.tabs):
        mine = mine.sort_values("sent_s")
        assert (mine["sent_s"].iloc[1:].to_numpy() >= mine["received_s"].iloc[:-1].to_numpy()).all()


@given(scenarios())
def test_a_revoked_family_never_gets_a_new_token(scenario):
    seen = Observed(scenario)
    summary = seen.result.summary

    assert not any(revoked for _, revoked in seen.accepted)
    refreshes = seen.result.refreshes
    assert summary["reuse_detected"] == (refreshes["outcome"] == "reused").sum()
    assert summary["families_revoked"] <= summary["reuse_detected"]
    assert summary["refresh_calls_ok"] + summary["refresh_calls_rejected"] == summary["refresh_calls"]
    if not scenario.refresh_tokens.reuse_detection:
        assert summary["reuse_detected"] == summary["families_revoked"] == 0


@given(scenarios())
def test_proactive_and_expiry_counts_are_parts_of_their_wholes(scenario):
    summary = Observed(scenario).result.summary

    assert 0 <= summary["proactive_refreshes"] <= summary["refresh_calls"]
    assert 0 <= summary["expired_on_arrival"] <= summary["unauthorized_responses"]
    if scenario.client.policy().proactive == "off":
        assert summary["proactive_refreshes"] == 0
    if scenario.faults.unfixable_401_rate == 1.0:  # every request asks for what no token grants
        assert summary["requests_ok"] == 0


@given(scenarios(where=lambda policy: policy.proactive == "off"))
def test_a_client_that_never_reads_its_clock_does_not_care_what_it_says(scenario):
    """Only a proactive client looks at expiry on its own clock: for a reactive one, any offset
    gives the same run."""
    skewed = scenario.with_(clock_offset_s=-300.0, clock_offset_sd_s=60.0)
    plain = scenario.with_(clock_offset_s=0.0, clock_offset_sd_s=0.0)
    first, second = (json_ready({**experiment.run(one).summary, "wall_time_s": 0}) for one in (skewed, plain))
    assert first == second


@given(scenarios())
def test_nothing_is_sent_after_the_user_is_logged_out(scenario):
    """Once a failed refresh sends the user to the login page, no tab makes another call until
    they log in again (a waiting or held request ends ``logged_out``)."""
    seen = Observed(scenario)
    result = seen.result
    events = result.token_events
    calls = result.calls[result.calls["endpoint"] != "login"]
    for user, mine in events.groupby(events["session"] // seen.tabs):
        logouts = mine.loc[mine["event"] == "logout", "time_s"].tolist()
        logins = mine.loc[mine["event"] == "login", "time_s"].tolist()
        sent = calls.loc[calls["session"] // seen.tabs == user, "sent_s"]
        for logout_s in logouts:
            back_s = min([t for t in logins if t >= logout_s], default=float("inf"))
            assert not ((sent > logout_s) & (sent < back_s)).any()
