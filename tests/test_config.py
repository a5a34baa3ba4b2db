"""Configuration errors say which field, which value, and what is allowed."""

import pytest

from sim import (
    Capacities,
    ClientPolicy,
    ConfigError,
    Latencies,
    Scenario,
    TokenPolicy,
    Workload,
)
from sim.workload import read_arrivals


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
            lambda: ClientPolicy(strategy="eager"),
            "strategy = 'eager': must be one of naive, locked, queued",
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
            "page_rate_per_s = 0: must be a number of seconds > 0",
        ),
    ],
)
def test_error_names_field_value_and_what_is_allowed(make, message):
    with pytest.raises(ConfigError) as caught:
        make()
    assert str(caught.value) == message


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
    assert changed.client == ClientPolicy(strategy="queued")
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
