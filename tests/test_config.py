"""Configuration errors say which field, which value, and what is allowed."""

import pytest

from sim import Capacities, Client, ConfigError, Latencies, Scenario, TokenPolicy, Workload, client_named
from sim.arrivals import read_arrivals
from sim.client import FullJitter, OnUse, PerTab, Timer


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: TokenPolicy(access_ttl_s=-5),
            "access_ttl_s = -5: must be a whole number of seconds >= 1",
        ),
        (
            lambda: TokenPolicy(refresh_ttl_s=-1),
            "refresh_ttl_s = -1: must be a whole number of seconds >= 1",
        ),
        (
            lambda: TokenPolicy(access_ttl_s=1.5),
            "access_ttl_s = 1.5: must be a whole number of seconds >= 1",
        ),
        (
            lambda: Latencies(rtt_s=-0.1),
            "rtt_s = -0.1: must be a number of seconds >= 0",
        ),
        (
            lambda: Capacities(api_capacity=-1),
            "api_capacity = -1: must be a whole number of workers (0 = unbounded) >= 0",
        ),
        (
            lambda: Scenario(client="eager"),
            "client = 'eager': must be one of naive, locked, queued, axios-auth-refresh-3,",
        ),
        (
            lambda: Workload(kind="poisson"),
            "kind = 'poisson': must be one of burst, steady, trace",
        ),
        (
            lambda: Workload(kind="trace"),
            "arrivals = None: the trace workload needs a CSV file of time_s,user",
        ),
        (
            lambda: Workload(page_rate_per_s=0),
            "page_rate_per_s = 0: must be a number per second > 0",
        ),
    ],
)
def test_error_names_field_value_and_what_is_allowed(make, message):
    with pytest.raises(ConfigError) as caught:
        make()
    assert str(caught.value) == message or (message.endswith(",") and str(caught.value).startswith(message))


def test_error_keeps_its_parts():
    with pytest.raises(ConfigError) as caught:
        TokenPolicy(access_ttl_s=-5)
    error = caught.value
    assert (error.field, error.value) == ("access_ttl_s", -5)
    assert isinstance(error, ValueError)


def test_booleans_are_not_numbers():
    with pytest.raises(ConfigError, match="users = True"):
        Workload(users=True)


def test_with_routes_each_field_to_its_part():
    base = Scenario()
    changed = base.with_(
        access_ttl_s=60,
        rtt_s=0.2,
        auth_capacity=2,
        users=7,
        strategy="queued",
        seed=9,
    )
    assert changed.tokens == TokenPolicy(access_ttl_s=60)
    assert changed.latencies == Latencies(rtt_s=0.2)
    assert changed.capacities == Capacities(auth_capacity=2)
    assert changed.workload == Workload(users=7)
    assert changed.client == client_named("queued")
    assert changed.seed == 9
    assert base == Scenario()  # the original is untouched


def test_with_keeps_a_part_given_together_with_one_of_its_fields():
    changed = Scenario().with_(tokens=TokenPolicy(refresh_ttl_s=100), access_ttl_s=60)
    assert changed.tokens == TokenPolicy(access_ttl_s=60, refresh_ttl_s=100)


def test_with_rejects_unknown_names():
    with pytest.raises(ConfigError) as caught:
        Scenario().with_(acess_ttl_s=60)
    assert caught.value.field == "acess_ttl_s"
    assert "is not a scenario field" in str(caught.value)


def test_with_validates_the_new_value():
    with pytest.raises(ConfigError, match="access_ttl_s = 0"):
        Scenario().with_(access_ttl_s=0)


def write(tmp_path, text):
    path = tmp_path / "arrivals.csv"
    path.write_text(text)
    return str(path)


def test_read_arrivals_groups_by_user_in_order_of_first_arrival(tmp_path):
    path = write(tmp_path, "time_s,user\n5,bob\n1,alice\n3,bob\n2,alice\n")
    assert read_arrivals(path) == [[1.0, 2.0], [3.0, 5.0]]


def test_read_arrivals_names_a_missing_column(tmp_path):
    path = write(tmp_path, "time,user\n0,alice\n")
    with pytest.raises(ConfigError) as caught:
        read_arrivals(path)
    assert caught.value.field == f"{path} columns"
    assert "time,user" in str(caught.value)
    assert "must be exactly time_s,user" in str(caught.value)


def test_read_arrivals_names_the_line_of_a_bad_time(tmp_path):
    path = write(tmp_path, "time_s,user\n0,alice\n1,bob\nsoon,carol\n")
    with pytest.raises(ConfigError) as caught:
        read_arrivals(path)
    assert caught.value.field == f"{path} line 4"
    assert caught.value.value == "soon,carol"


def test_read_arrivals_rejects_a_negative_time(tmp_path):
    path = write(tmp_path, "time_s,user\n-1,alice\n")
    with pytest.raises(ConfigError, match="line 2"):
        read_arrivals(path)


def test_read_arrivals_line_number_counts_blank_lines(tmp_path):
    path = write(tmp_path, "time_s,user\n0,alice\n\n1,bob\nsoon,carol\n")
    with pytest.raises(ConfigError) as caught:
        read_arrivals(path)
    assert caught.value.field == f"{path} line 5"


def test_read_arrivals_needs_rows_and_a_file(tmp_path):
    with pytest.raises(ConfigError, match="needs at least one row"):
        read_arrivals(write(tmp_path, "time_s,user\n"))
    with pytest.raises(ConfigError, match="no such file"):
        read_arrivals(str(tmp_path / "missing.csv"))


def flat(client):
    """A client's flat values, its name aside: what it does."""
    return {name: value for name, value in client.flat().items() if name != "name"}


def test_a_named_client_is_a_composition_and_fields_change_it():
    assert flat(client_named("locked", hold_while_refreshing=True)) == flat(client_named("queued"))
    assert client_named("naive") == Client()  # the article's interceptor is the default
    assert client_named("locked", max_retries=3).max_retries == 3
    assert client_named("locked", max_retries=3).single_flight == PerTab()


def test_a_client_is_labelled_by_its_name_and_what_differs_from_it():
    assert client_named("queued").label == "queued"
    assert client_named("queued", hold_while_refreshing=True).label == "queued"  # same as the named client
    assert client_named("locked", hold_while_refreshing=True).label == "locked+hold_while_refreshing=true"
    assert client_named("naive", single_flight="tab", max_retries=0).label == "naive+single_flight=tab+max_retries=0"
    assert Scenario().with_(strategy="locked", late_401_check=False).strategy == "locked+late_401_check=false"
    assert client_named("naive", retry="full-jitter", retry_budget="0.2:3").label == (
        "naive+retry=full-jitter+retry_budget=0.2:3"
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: client_named("naive", single_flight="browser"),
            "single_flight = 'browser': must be one of none, tab, lock",
        ),
        (lambda: Client(hold_while_refreshing=1), "hold_while_refreshing = 1: must be true or false"),
        (lambda: Client(late_401_check="no"), "late_401_check = 'no': must be true or false"),
        (lambda: Client(max_retries=-1), "max_retries = -1: must be a whole number from 0 to 100"),
        (lambda: Client(max_retries=2.5), "max_retries = 2.5: must be a whole number from 0 to 100"),
        (lambda: Client(max_retries=True), "max_retries = True: must be a whole number from 0 to 100"),
        (lambda: client_named("naive", cross_tab_lock="yes"), "cross_tab_lock = 'yes': must be one of false, true"),
        (lambda: Scenario(record_calls="no"), "record_calls = 'no': must be true or false"),
    ],
)
def test_client_fields_are_checked(make, message):
    with pytest.raises(ConfigError) as caught:
        make()
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"margin_s": 30}, "margin_s = 30: only proactive = on-use or timer or background reads it; this client's "
         "proactive is off"),
        ({"proactive": "on-use", "timer_tick_s": 2}, "timer_tick_s = 2: only proactive = timer reads it; this "
         "client's proactive is on-use"),
        ({"retry_base_s": 2}, "retry_base_s = 2: only retry = fixed or exponential or full-jitter or equal-jitter or "
         "decorrelated reads it; this client's retry is none"),
        ({"retry": "immediate", "retry_cap_s": 2}, "retry_cap_s = 2: only retry = fixed or exponential or "
         "full-jitter or equal-jitter or decorrelated reads it; this client's retry is immediate"),
        ({"in_flight_401": "fail"}, "in_flight_401 = 'fail': only single_flight = tab reads it; this client's "
         "single_flight is none"),
        ({"proactive": "on-use", "expiry_from": "expires_in", "skew_estimation": True},
         "skew_estimation = True: corrects the clock for expiry_from = exp only"),
    ],
)  # fmt: skip
def test_a_parameter_only_another_mode_reads_is_refused(changes, message):
    with pytest.raises(ConfigError) as caught:
        client_named("naive", **changes)
    assert str(caught.value) == message


def test_a_mode_keeps_the_parameters_it_shares_with_the_one_it_replaces():
    auth0 = client_named("auth0-spa-js")  # on use, 60 s margin, expiry from expires_in
    timer = auth0.with_(proactive="timer", timer_tick_s=2)
    assert timer.proactive == Timer(margin_s=60.0, expiry_from="expires_in", timer_tick_s=2)
    assert timer.label == "auth0-spa-js+proactive=timer+timer_tick_s=2"
    assert client_named("naive", proactive="timer").proactive == Timer()  # from off: the defaults


def test_a_part_can_be_given_whole():
    client = client_named("locked", retry=FullJitter(retry_base_s=0.5, max_tries=5))
    assert client.retry == FullJitter(retry_base_s=0.5, max_tries=5)
    assert client.label == "locked+retry=full-jitter+max_tries=5+retry_base_s=0.5"
    assert Scenario(client=Client(name="mine", proactive=OnUse(margin_s=5))).strategy == "mine"


def test_naming_another_client_keeps_the_changes():
    scenario = Scenario().with_(max_retries=3, cross_tab_lock=True)
    assert scenario.with_(strategy="locked").strategy == "locked+max_retries=3+cross_tab_lock=true"
    assert scenario.with_(client="msal-browser").client.max_retries == 3


def test_two_names_for_the_client_are_refused():
    with pytest.raises(ConfigError) as caught:
        Scenario().with_(strategy="queued", library="google-auth")
    assert (
        str(caught.value) == "library = 'google-auth': names the client, as strategy = 'queued' does: give one of them"
    )


def test_a_client_is_renamed_only_by_naming_another():
    with pytest.raises(ConfigError) as caught:
        client_named("locked").with_(name="mine")
    assert str(caught.value) == "name = 'mine': names the client: give it as client_named(name, ...)"


def test_a_named_server_applies_when_the_scenario_is_made():
    okta = Scenario(server="okta")
    assert (okta.tokens.access_ttl_s, okta.refresh_tokens.rotation, okta.refresh_tokens.grace_s) == (3600, True, 30.0)
    assert Scenario().with_(server="okta") == okta
    assert Scenario(server="okta", tokens=TokenPolicy(access_ttl_s=60)).tokens.access_ttl_s == 60  # given: kept
    with pytest.raises(ConfigError, match="server = 'oktaa': must be one of article, auth0, okta"):
        Scenario(server="oktaa")


def test_a_part_given_as_something_else_is_refused():
    with pytest.raises(ConfigError) as caught:
        Scenario().with_(workload="burst")
    assert str(caught.value) == (
        "workload = 'burst': is a part of the scenario: give a Workload(...), or its fields by name"
    )


def test_with_takes_part_qualified_names():
    changed = Scenario().with_({"tokens.access_ttl_s": 60, "client.max_retries": 2}, seed=4)
    assert (changed.tokens.access_ttl_s, changed.client.max_retries, changed.seed) == (60, 2, 4)
    with pytest.raises(ConfigError, match="tokens.rtt_s = 1: is not a scenario field"):
        Scenario().with_({"tokens.rtt_s": 1})


def test_with_refuses_a_name_two_parts_share(monkeypatch):
    """Two parts with a field of one name (``jitter_s`` in two places, say) must be named part.field."""
    import dataclasses

    from sim import scenario as scenario_module

    @dataclasses.dataclass(frozen=True)
    class Tokens(TokenPolicy):
        rtt_s: float = 0.0  # now both tokens and latencies have rtt_s

    parts = {**scenario_module.scenario_parts(), "tokens": Tokens}
    monkeypatch.setattr(scenario_module, "scenario_parts", lambda: parts)
    with pytest.raises(ConfigError, match="rtt_s = 0.2: is a field of tokens and latencies: name it as part.field"):
        Scenario(tokens=Tokens()).with_(rtt_s=0.2)
    assert Scenario(tokens=Tokens()).with_({"latencies.rtt_s": 0.2}).latencies.rtt_s == 0.2
