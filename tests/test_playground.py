"""The playground's model (``sim.playground``): each control changes what the burst does, and the
verdict says so. The page itself, served by Voilà, is tested in a browser (``tests/test_browser.py``)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sim.playground import Knobs, play, redraw, scenario

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "playground.ipynb"


def test_the_defaults_are_the_article_world_with_a_burst_of_five():
    s = scenario(Knobs())
    assert (s.tokens.access_ttl_s, s.tokens.refresh_ttl_s) == (900, 604_800)
    assert (s.workload.kind, s.workload.concurrency, s.workload.tabs) == ("burst", 5, 1)
    assert s.client.label == "naive" and s.client.proactive.mode == "off"
    assert not s.refresh_tokens.rotation and not s.faults.auth_outages


def test_naive_storms_and_locked_sends_one_refresh_per_tab():
    naive = play(Knobs())
    assert naive.refresh_calls == 5
    assert naive.verdict().startswith("Refresh storm: 5 refresh calls for one expiry where 1 would do")
    locked = play(Knobs(client="locked", tabs=2, burst=3))
    assert locked.refresh_calls == 2
    assert locked.verdict().startswith("Fine: one refresh call per tab")


def test_each_request_is_a_row_with_its_tab_latency_and_ending():
    shown = play(Knobs(client="queued", tabs=2, burst=3))
    table = shown.requests()
    assert list(table.index) == [1, 2, 3, 4, 5, 6]
    assert list(table["tab"]) == [1, 1, 1, 2, 2, 2]
    assert (table["ended"] == "200: data").all() and (table["401s"] == 1).all()
    # 401 round trip (80 + 2 ms), refresh (80 + 30), retry (80 + 50): 322 ms
    assert (table["latency_ms"] == 322).all()


def test_the_latency_sliders_move_the_latency():
    slow = play(Knobs(client="locked", rtt_ms=200)).requests()["latency_ms"]
    assert (slow == 3 * 200 + 2 + 30 + 50).all()


def test_rotation_across_two_tabs_logs_the_user_out_and_the_verdict_names_reuse():
    verdict = play(Knobs(client="locked", tabs=2, rotation=True)).verdict()
    assert verdict.startswith("Logged out: a refresh token was presented twice")


def test_a_refresh_token_shorter_than_the_burst_logs_out():
    shown = play(Knobs(refresh_ttl_s=300))
    assert shown.verdict().startswith("Logged out: the refresh token had expired too")
    assert (shown.requests()["ended"] == "logged out").all()


def test_an_outage_at_the_burst_logs_out_through_the_article_catch():
    assert "outage" in play(Knobs(outage_s=2)).verdict()


def test_a_proactive_timer_spares_the_burst_every_401():
    shown = play(Knobs(margin_s=30))
    assert shown.refresh_calls == 1
    assert shown.verdict().startswith("No 401 at all: the timer refreshed 30 s before expiry")
    assert (shown.requests()["401s"] == 0).all()


def test_a_library_preset_behaves_as_its_source_says():
    # axios-auth-refresh 5 (deduplicateRefresh): the 401s that come back during the refresh reach the app
    dedupe = play(Knobs(client="axios-auth-refresh-5"))
    assert dedupe.refresh_calls == 1
    assert dedupe.verdict() == "4 of 5 requests failed: the app got an error, the user stays logged in."
    # Authlib's sync OAuth2Session has no lock: every request refreshes, before it is sent (no 401)
    sync = play(Knobs(client="authlib-sync"))
    assert sync.refresh_calls == 5 and sync.verdict().startswith("Refresh storm: 5 refresh calls")
    assert (sync.requests()["401s"] == 0).all()
    # auth0-spa-js refreshes on use, before sending: one refresh, no 401
    assert play(Knobs(client="auth0-spa-js")).verdict().startswith("No 401 at all: the client refreshed first")


def test_the_picture_is_the_burst_drawn_and_nothing_when_the_burst_sent_nothing():
    figure = play(Knobs(client="locked", tabs=2, burst=2)).figure()
    (panel,) = [ax for ax in figure.axes if ax.get_title()]
    assert panel.get_title().startswith("locked\n2 refresh calls")
    texts = {t.get_text() for t in panel.texts}
    assert {"tab 1", "tab 2"} <= texts
    # the timer tries to refresh before the burst with a dead refresh token: logged out, no burst to draw
    gone = play(Knobs(margin_s=30, refresh_ttl_s=300))
    assert gone.figure() is None and gone.verdict().startswith("Logged out")
    assert redraw(Knobs(margin_s=30, refresh_ttl_s=300)) == b""


def test_a_refresh_before_use_is_drawn_as_the_clients_own_and_held_lanes_are_labelled_once():
    figure = play(Knobs(client="authlib-sync")).figure()  # five refreshes before sending, none after a 401
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "refresh\nbefore use" in texts and "shared\nrefresh" not in texts
    assert texts.count("held") == 1  # five lanes held at the same moment: one label, not five on top of each other
    assert not any(text.startswith("holds ") for text in texts)  # it refreshed before its first call


def test_a_move_redraws_a_different_picture():
    assert redraw(Knobs(burst=5)) != redraw(Knobs(burst=6))


@pytest.mark.parametrize("field, value", [("client", "eager"), ("burst", 0), ("tabs", 0), ("rtt_ms", -5)])
def test_a_knob_out_of_range_is_refused_by_the_scenario_check(field, value):
    from sim.config import ConfigError

    with pytest.raises(ConfigError):
        scenario(Knobs(**{field: value}))


def test_the_notebook_runs_and_shows_the_widgets():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert [cell.cell_type for cell in notebook.cells] == ["markdown", "code"]
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    (output,) = notebook.cells[1].outputs
    assert "application/vnd.jupyter.widget-view+json" in output["data"]
