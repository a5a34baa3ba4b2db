"""One tab driven by hand: the single-flight event, and a refresh
answer that comes back after the user was logged out."""

import random

import simpy

from sim import Capacities, Latencies, TokenPolicy, client_named
from sim.client import Browser
from sim.records import Recorder
from sim.servers import AuthServer, ResourceServer

LATENCIES = Latencies(rtt_s=0.1, auth_service_s=0.02)


def logged_in_session():
    env, recorder = simpy.Environment(), Recorder()
    parts = (TokenPolicy(access_ttl_s=10), LATENCIES, Capacities(), recorder, random.Random(0))
    browser = Browser(env, 0, 1, AuthServer(env, *parts), ResourceServer(env, *parts), recorder, client_named("locked"))
    env.process(browser.login())
    env.run()
    return env, browser.tabs[0]


def test_a_shared_refresh_is_one_event_until_it_fires():
    env, session = logged_in_session()
    stale = session.store.access

    shared = session.client.single_flight  # PerTab: one refresh in flight per tab
    first = shared.start(session, stale, proactive=False)
    assert shared.start(session, stale, proactive=False) is first
    env.run()

    assert first.value is session.store.access is not stale
    assert session.refreshing is None
    assert shared.start(session, session.store.access, proactive=False) is not first


def test_a_late_refresh_answer_does_not_log_the_user_back_in():
    env, session = logged_in_session()
    answers = []

    def refresh():
        answers.append((yield from session.refresh(session.store.access)))

    env.process(refresh())
    env.run(until=env.now + 0.06)  # the refresh is at the server
    session.logout()
    env.run()

    assert answers[0] is not None  # the server did answer 200 ...
    assert (session.logged_in, session.store.access, session.store.refresh) == (False, None, None)
    assert [event.event for event in session.observer.token_events] == ["login", "logout"]


def test_logging_out_twice_counts_once():
    _, session = logged_in_session()
    session.logout()
    session.logout()
    assert session.observer.logouts == 1
