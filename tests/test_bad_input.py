"""Every bad input, from any source, gets one line naming the field, and exit status 2.

Flags, scenario files, trace files and output paths; each case asserts the
status, that stderr is one line starting ``error:``, that it names the
field (or the file), and that nothing reached stdout. Most run in-process
(a traceback there would be an exception and fail the test); a few run the
real command in a subprocess, where a traceback would show on stderr: a
device as a file, a closed pipe, Ctrl-C.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
TRACE = str(ROOT / "scenarios/traces/three-users.csv")


def fails_with(capsys, argv, *named):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert status == 2, f"exit {status}: {err}"
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert "Traceback" not in err
    for part in named:
        assert part in err, f"{part!r} not in {err!r}"
    return err


# -- flags ----------------------------------------------------------------------

FLAG_CASES = [
    (["run", "--access-ttl", "-5"], "access_ttl_s = -5", "whole number of seconds >= 1"),
    (["run", "--access-ttl", "2.5"], "access_ttl_s = 2.5"),
    (["run", "--access-ttl", "1e10"], "access_ttl_s", "at most 1e+09 s"),
    (["run", "--refresh-ttl", "0"], "refresh_ttl_s = 0"),
    (["run", "--leeway", "-1"], "leeway_s = -1"),
    (["run", "--leeway", "nan"], "leeway_s = nan"),
    (["run", "--rtt", "-0.1"], "rtt_s = -0.1"),
    (["run", "--rtt", "1e308"], "rtt_s", "at most 1e+09 s"),
    (["run", "--rtt", "inf"], "rtt_s = inf"),
    (["run", "--api-service", "-1"], "api_service_s = -1"),
    (["run", "--api-401-service", "2e9"], "api_401_service_s", "at most"),
    (["run", "--auth-service", "-0.5"], "auth_service_s = -0.5"),
    (["run", "--service-distribution", "normal"], "service_distribution = 'normal'", "fixed, exponential"),
    (["run", "--api-capacity", "-1"], "api_capacity = -1", "workers"),
    (["run", "--api-capacity", "1.5"], "api_capacity = 1.5"),
    (["run", "--auth-capacity", "-3"], "auth_capacity = -3"),
    (["run", "--workload", "flood"], "kind = 'flood'", "burst, steady, trace"),
    (["run", "--users", "0"], "users = 0"),
    (["run", "--users", "2.5"], "users = 2.5"),
    (["run", "--concurrency", "0"], "concurrency = 0"),
    (["run", "--concurrency", "many"], "--concurrency", "'many'"),
    (["run", "--at", "-1"], "at_s = -1"),
    (["run", "--workload", "steady", "--at", "5"], "at_s = 5", "only the burst workload uses it; this run's is steady"),
    (["run", "--workload", "steady", "--page-rate", "0"], "page_rate_per_s = 0", "per second > 0"),
    (["run", "--workload", "steady", "--page-rate", "-1"], "page_rate_per_s = -1"),
    (["run", "--workload", "steady", "--page-rate", "1e7"], "page_rate_per_s", "at most 1e+06 per second"),
    (["run", "--workload", "steady", "--duration", "0"], "duration_s = 0"),
    (["run", "--duration", "60"], "duration_s = 60", "only the steady workload uses it; this run's is burst"),
    (["run", "--page-rate", "0.1"], "page_rate_per_s = 0.1", "only the steady workload"),
    (["run", "--synchronized"], "synchronized = True", "only the steady workload"),
    (["run", "--arrivals", TRACE], "arrivals", "only the trace workload uses it"),
    (
        ["run", "--workload", "trace", "--arrivals", TRACE, "--users", "3"],
        "users = 3",
        "burst and steady workloads use",
    ),
    (["run", "--workload", "trace", "--arrivals", TRACE, "--tabs", "2"], "tabs = 2", "burst and steady workloads use"),
    (["run", "--tabs", "0"], "tabs = 0", "from 1 to 64"),
    (["run", "--tabs", "65"], "tabs = 65"),
    (["run", "--tabs", "1.5"], "tabs = 1.5"),
    (["run", "--storage", "disk"], "storage = 'disk'", "local, cookie, tab"),
    (["run", "--cross-tab-lock=maybe"], "--cross-tab-lock"),
    (["run", "--on-logout", "navigate"], "on_logout = 'navigate'", "unload, stay"),
    (["run", "--refresh-in", "iframe"], "refresh_in = 'iframe'", "tab, shared-worker"),
    (["run", "--tab-sync", "sometimes"], "tab_sync = 'sometimes'", "instant, measured"),
    (["run", "--storage", "tab", "--refresh-in", "shared-worker"], "refresh_in = 'shared-worker'", "storage = tab"),
    (["run", "--single-flight", "lock", "--hold-while-refreshing"], "hold_while_refreshing = True", "use false"),
    (["run", "--client", "queued", "--single-flight", "lock"], "hold_while_refreshing = True", "single_flight = lock"),
    (["run", "--retry", "fixed", "--retry-on", "5xx"], "retry_on = '5xx'", "any, network, answers"),
    (["run", "--retry-on", "network"], "retry_on", "retry"),
    (["run", "--cross-tab-lock", "--lock-timeout", "-1"], "lock_timeout_s = -1"),
    (["run", "--lock-timeout", "5"], "lock_timeout_s", "cross_tab_lock"),
    (["run", "--proactive", "on-use", "--margin-frac", "1.5"], "margin_frac = 1.5", "from 0 to 1"),
    (["run", "--proactive", "timer", "--timer-after-failure", "retry"], "timer_after_failure = 'retry'", "stop"),
    (["run", "--proactive", "on-use", "--no-timer-follows-store"], "timer_follows_store", "timer"),
    (["run", "--proactive", "on-use", "--expiry-from", "iat"], "expiry_from = 'iat'", "expires_in-from-send"),
    (["run", "--revoke-access-on-rotation"], "revoke_access_on_rotation = True", "needs rotation = true"),
    (["run", "--tier", "edge"], "tier = 'edge'", "browser, bff"),
    (["run", "--tier", "bff", "--instances", "0"], "instances = 0", "1 to 64"),
    (["run", "--tier", "bff", "--balancer", "weighted"], "balancer = 'weighted'", "round-robin, random, sticky"),
    (["run", "--tier", "bff", "--bff-rtt", "-1"], "bff_rtt_s = -1"),
    (["run", "--tier", "bff", "--store-rtt", "inf"], "store_rtt_s = inf"),
    (["run", "--instances", "3"], "instances = 3", "only a client with tier = bff reads it"),
    (["run", "--tier", "bff", "--store-capacity", "-1"], "store_capacity = -1", "0 = unlimited"),
    (["compare", "--clients", "naive,locked", "--balancer", "sticky"], "balancer = 'sticky'", "tier = bff"),
    (["run", "--session-lock", "distributed"], "session_lock = 'distributed'", "needs tier = bff"),
    (["run", "--tier", "bff", "--session-lock", "redlock"], "session_lock = 'redlock'", "none, distributed"),
    (["run", "--tier", "bff", "--session-lock", "distributed", "--lease-ttl", "0"], "lease_ttl_s = 0"),
    (["run", "--tier", "bff", "--session-lock", "distributed", "--lock-wait", "-1"], "lock_wait_s = -1"),
    (["run", "--tier", "bff", "--session-lock", "distributed", "--lock-poll", "-1"], "lock_poll_s = -1"),
    (
        ["run", "--tier", "bff", "--session-lock", "distributed", "--lock-holder-deaths", "1.5"],
        "lock_holder_deaths = 1.5",
    ),
    (["run", "--tier", "bff", "--cross-tab-lock"], "cross_tab_lock = True", "use session_lock"),
    (["run", "--tier", "bff", "--storage", "tab"], "storage = 'tab'", "with tier = bff only local"),
    (["run", "--tier", "bff", "--max-connections", "6"], "max_connections = 6", "the BFF makes them"),
    (["run", "--reuse-detection"], "reuse_detection = True", "needs rotation = true"),
    (["run", "--rotation", "--revoke-access-on-reuse"], "revoke_access_on_reuse = True", "needs reuse_detection"),
    (["run", "--grace", "5"], "grace_s = 5", "needs rotation = true"),
    (["run", "--rotation", "--grace", "-1"], "grace_s = -1"),
    (["run", "--rotation", "--grace", "inf"], "grace_s = inf"),
    (["run", "--reuse-count", "2"], "reuse_count = 2", "needs rotation = true"),
    (["run", "--rotation", "--reuse-count", "-1"], "reuse_count = -1", "from 0 to 1000"),
    (["run", "--rotation", "--reuse-count", "1.5"], "reuse_count = 1.5"),
    (["run", "--refresh-idle-ttl", "0"], "refresh_idle_ttl_s = 0"),
    (["run", "--refresh-idle-ttl", "2.5"], "refresh_idle_ttl_s = 2.5"),
    (["run", "--rotation=yes"], "--rotation"),
    (["run", "--workload", "trace"], "arrivals = None", "needs a CSV file"),
    (["run", "--strategy", "magic"], "client = 'magic'", "naive, locked, queued"),
    (["run", "--single-flight", "global"], "single_flight = 'global'", "none, tab, lock"),
    (["run", "--max-retries", "-1"], "max_retries = -1", "from 0 to 100"),
    (["run", "--max-retries", "101"], "max_retries = 101"),
    (["run", "--max-retries", "1.5"], "max_retries = 1.5"),
    (["run", "--hold-while-refreshing=yes"], "--hold-while-refreshing"),
    (["run", "--relogin-after", "-1"], "relogin_after_s = -1"),
    (["run", "--seed", "-1"], "seed = -1"),
    (["run", "--seed", "1.5"], "seed = 1.5"),
    (["run", "--record-calls"], "record_calls = True", "give --save too"),
    (["run", "--max-requests", "0"], "max_requests = 0"),
    (["run", "--max-users", "0"], "max_users = 0"),
    (["run", "--users", "10000000"], "requests = 50000000", "--max-requests N"),
    (["run", "--workload", "steady", "--duration", "1e9"], "requests =", "raise the limit with --max-requests N"),
    (["run", "--workload", "steady", "--users", "300000", "--duration", "1"], "users = 300000", "--max-users N"),
    (["run", "--users", "100", "--max-requests", "10"], "requests = 500", "over the limit of 10 requests"),
    (["run", "--colour", "blue"], "unrecognized arguments: --colour blue"),
    (["compare", "--strategies", ""], "clients = ''", "comma-separated list"),
    (["compare", "--strategies", "naive,naive"], "clients = 'naive,naive'", "each once"),
    (["compare", "--strategies", "naive,,locked"], "clients = 'naive,,locked'"),
    (["compare", "--strategies", "naive,magic"], "clients = 'magic'"),
    (
        ["run", "--strategy", "queued", "--library", "google-auth"],
        "client = 'google-auth'",
        "named twice ('queued' too)",
    ),
    (["compare", "--replications", "0"], "replications = 0"),
    (["compare", "--jobs", "-1"], "jobs = -1"),
    (["compare", "--strategy", "naive"], "unrecognized arguments: --strategy naive"),
    (["bench", "--requests", "10"], "requests = 10", "from 1000 to 10000000"),
    (["bench", "--requests", "1e9"], "--requests", "'1e9'"),
    (["sideways"], "invalid choice: 'sideways'"),
    (["figures", "--only", "herd,storm"], "--only = 'storm'", "one or more of: sequence_diagram"),
    # library and server presets (issue: real client libraries as presets)
    (["run", "--library", "angular"], "client = 'angular'", "must be one of naive, locked"),
    (["run", "--server", "vault"], "server = 'vault'", "must be one of article"),
    (["compare", "--library", "article,angular"], "clients = 'angular'", "comma-separated list drawn from naive"),
    (["libraries", "--server", "vault"], "server = 'vault'", "must be one of article"),
    (["libraries", "--libraries", "angular"], "libraries = 'angular'"),
    (["libraries", "--jobs", "-1"], "jobs = -1"),
    (["run", "--in-flight-401", "fail"], "in_flight_401 = 'fail'", "only single_flight = tab reads it"),
    (["run", "--single-flight", "tab", "--in-flight-401", "drop"], "in_flight_401 = 'drop'", "join, fail"),
    (["run", "--refresh-rejected", "retry"], "refresh_rejected = 'retry'", "logout, fail"),
    (["run", "--workload", "steady", "--duration", "600", "--pages-from", "600"], "pages_from_s = 600"),
    (["run", "--pages-from", "60"], "pages_from_s = 60", "only the steady workload"),
    # refreshing before expiry, clocks, faults (issue: proactive refresh, herds and clock skew)
    (["run", "--proactive", "sometimes"], "proactive = 'sometimes'", "off, on-use, timer, background"),
    (["run", "--proactive", "on-use", "--margin", "-1"], "margin_s = -1", "seconds >= 0"),
    (["run", "--proactive", "on-use", "--margin", "inf"], "margin_s = inf"),
    (
        ["run", "--margin", "60"],
        "margin_s = 60",
        "only proactive = on-use or timer or background reads it; this client's proactive is off",
    ),
    (["run", "--proactive", "timer", "--timer-tick", "0"], "timer_tick_s = 0", "seconds > 0"),
    (["run", "--proactive", "on-use", "--timer-tick", "5"], "timer_tick_s = 5", "only proactive = timer reads it"),
    (["run", "--proactive", "timer", "--margin-jitter", "-5"], "margin_jitter_s = -5"),
    (["run", "--margin-jitter", "5"], "margin_jitter_s = 5", "only proactive = on-use or timer or background"),
    (["run", "--proactive", "on-use", "--xfetch-beta", "-1"], "xfetch_beta = -1", "from 0 to 1000"),
    (["run", "--proactive", "on-use", "--xfetch-beta", "nan"], "xfetch_beta = nan"),
    (["run", "--xfetch-beta", "1"], "xfetch_beta = 1", "only proactive = on-use or timer or background"),
    (["run", "--proactive", "on-use", "--expiry-from", "iat"], "expiry_from = 'iat'", "exp, expires_in"),
    (["run", "--expiry-from", "expires_in"], "expiry_from = 'expires_in'", "only proactive = on-use or timer"),
    (
        ["run", "--proactive", "on-use", "--expiry-from", "expires_in", "--skew-estimation"],
        "skew_estimation = True",
        "expiry_from = exp only",
    ),
    (["run", "--skew-estimation=yes"], "--skew-estimation"),
    (["run", "--access-ttl-spread", "-1"], "access_ttl_spread_s = -1", "whole number of seconds from 0"),
    (["run", "--access-ttl-spread", "2.5"], "access_ttl_spread_s = 2.5"),
    (["run", "--clock-offset", "nan"], "clock_offset_s = nan", "from -1e+09 to 1e+09"),
    (["run", "--clock-offset=-2e9"], "clock_offset_s = -2000000000"),
    (["run", "--clock-offset-sd", "-1"], "clock_offset_sd_s = -1", "seconds >= 0"),
    (["run", "--unfixable-401-rate", "1.5"], "unfixable_401_rate = 1.5", "from 0 to 1"),
    (["run", "--unfixable-401-rate", "-0.1"], "unfixable_401_rate = -0.1"),
    (["run", "--workload", "steady", "--login-window", "-1"], "login_window_s = -1"),
    (["run", "--login-window", "10"], "login_window_s = 10", "only the steady workload"),
    (
        ["run", "--workload", "steady", "--synchronized", "--login-window", "10"],
        "login_window_s = 10",
        "give one or the other",
    ),
    (["run", "--variant", "fixed"], "variant = 'fixed'", "needs a --scenario file with [variants]"),
    (["run", "--scenario", "scenarios/herd.toml", "--variant", "nope"], "variant = 'nope'", "fixed, randomised"),
    (["compare", "--scenario", "scenarios/herd.toml", "--variants", "fixed,fixed"], "variants = 'fixed,fixed'"),
    (["compare", "--variants", "fixed"], "variants = 'fixed'", "needs a --scenario file with [variants]"),
    # auth-server faults, client timeouts and retries, the browser's limits (issue: faults and retries)
    (["run", "--auth-outage", "5"], "auth_outages = '5'", "must be START:END[:MODE]"),
    (["run", "--auth-outage", "10:5"], "auth_outages = '10:5'", "0 <= START < END"),
    (["run", "--auth-outage", "a:b"], "auth_outages = 'a:b'", "START:END[:MODE]"),
    (["run", "--auth-outage", "1:2:down"], "auth_outages = '1:2:down'", "MODE 503 (the default) or silent"),
    (["run", "--auth-outage", "1:2:3:4"], "auth_outages = '1:2:3:4'"),
    (["run", "--auth-outage", "1:2:silent:x"], "auth_outages = '1:2:silent:x'"),
    (["run", "--auth-outage=-1:5"], "auth_outages = '-1:5'", "0 <= START < END"),
    (["run", "--auth-outage", "0:1e10"], "auth_outages = '0:1e10'"),
    (["run", "--auth-outage", "1:2", "--auth-outage", "5"], "auth_outages = '5'"),  # each one given is checked
    (["run", "--auth-brownout", "1:2"], "auth_brownouts = '1:2'", "must be START:END:FACTOR"),
    (["run", "--auth-brownout", "1:2:0.5"], "auth_brownouts = '1:2:0.5'", "FACTOR a number from 1 to 1000"),
    (["run", "--auth-brownout", "1:2:2000"], "auth_brownouts = '1:2:2000'", "from 1 to 1000"),
    (["run", "--auth-brownout", "1:2:x"], "auth_brownouts = '1:2:x'"),
    (["run", "--auth-brownout", "1:2:nan"], "auth_brownouts = '1:2:nan'"),
    (["run", "--auth-brownout", "1:2:3:4"], "auth_brownouts = '1:2:3:4'"),
    (["run", "--auth-brownout", "5:1:2"], "auth_brownouts = '5:1:2'", "0 <= START < END"),
    (["run", "--auth-rate-limit", "0"], "auth_rate_limit = '0'", "must be PER_S[:BURST], numbers > 0"),
    (["run", "--auth-rate-limit", "-1"], "auth_rate_limit = '-1'", "numbers > 0"),
    (["run", "--auth-rate-limit", "a"], "auth_rate_limit = 'a'", "PER_S[:BURST]"),
    (["run", "--auth-rate-limit", "1:0.5"], "auth_rate_limit = '1:0.5'", "BURST >= 1"),
    (["run", "--auth-rate-limit", "1:2:3"], "auth_rate_limit = '1:2:3'"),
    (["run", "--auth-rate-limit", "inf"], "auth_rate_limit = 'inf'"),
    (["run", "--refresh-loss", "1.5"], "refresh_loss = 1.5", "from 0 to 1"),
    (["run", "--refresh-loss", "-0.1"], "refresh_loss = -0.1", "from 0 to 1"),
    (["run", "--refresh-timeout", "-1"], "refresh_timeout_s = -1", "seconds >= 0"),
    (["run", "--refresh-timeout", "nan"], "refresh_timeout_s = nan"),
    (["run", "--refresh-timeout", "2e9"], "refresh_timeout_s", "at most 1e+09 s"),
    (["run", "--api-timeout", "-1"], "api_timeout_s = -1", "seconds >= 0"),
    (["run", "--api-timeout", "inf"], "api_timeout_s = inf"),
    (
        ["run", "--retry", "sometimes"],
        "retry = 'sometimes'",
        "none, immediate, fixed, exponential, full-jitter, equal-jitter, decorrelated",
    ),
    (["run", "--retry="], "retry = ''"),
    (["run", "--retry", "fixed", "--max-tries", "0"], "max_tries = 0", "from 1 to 100"),
    (["run", "--retry", "fixed", "--max-tries", "101"], "max_tries = 101", "from 1 to 100"),
    (["run", "--retry", "fixed", "--max-tries", "1.5"], "max_tries = 1.5"),
    (["run", "--retry", "exponential", "--retry-base", "-1"], "retry_base_s = -1", "seconds >= 0"),
    (["run", "--retry", "exponential", "--retry-cap", "inf"], "retry_cap_s = inf"),
    (["run", "--retry", "fixed", "--retry-budget", "0"], "retry_budget = '0'", "must be PER_S[:BURST], numbers > 0"),
    (["run", "--retry", "fixed", "--retry-budget=-1"], "retry_budget = '-1'"),
    (["run", "--retry", "fixed", "--retry-budget", "a:b"], "retry_budget = 'a:b'"),
    (["run", "--retry", "fixed", "--retry-budget", "1:2:3"], "retry_budget = '1:2:3'"),
    (["run", "--retry", "fixed", "--retry-budget", "1:0"], "retry_budget = '1:0'", "BURST >= 1"),
    (["run", "--retry", "fixed", "--retry-after=yes"], "--retry-after"),
    # a retry setting for a client that never retries would be ignored: refused
    (["run", "--retry-base", "1"], "retry_base_s = 1", "only retry = fixed or exponential or full-jitter"),
    (["run", "--retry", "immediate", "--retry-cap", "5"], "retry_cap_s = 5", "this client's retry is immediate"),
    (["run", "--retry-cap", "5"], "retry_cap_s = 5", "this client's retry is none"),
    (["run", "--max-tries", "3"], "max_tries = 3", "this client's retry is none"),
    (["run", "--retry", "none", "--max-tries", "3"], "max_tries = 3", "this client's retry is none"),
    (["run", "--retry-budget", "1:2"], "retry_budget", "this client's retry is none"),
    (["run", "--retry-after"], "retry_after = True", "this client's retry is none"),
    (["run", "--no-retry-after"], "retry_after = False", "this client's retry is none"),
    (["compare", "--retry-cap", "3"], "retry_cap_s = 3", "this client's retry is none"),
    (["run", "--retries-exhausted", "never"], "retries_exhausted = 'never'", "logout, fail"),
    (["run", "--max-connections", "-1"], "max_connections = -1", "whole number of connections (0 = unlimited)"),
    (["run", "--max-connections", "1.5"], "max_connections = 1.5", "whole number of connections"),
    (["run", "--max-connections", "20000"], "max_connections = 20000", "from 0 to 10000"),
    (["run", "--client-cost", "-0.1"], "client_cost_s = -0.1", "seconds >= 0"),
    (["run", "--client-cost", "inf"], "client_cost_s = inf"),
    # issue 26: numbers bounded before arithmetic, seeds within 64 bits, empty paths, a cap below the base
    (["run", "--users", "1e308"], "users = 1e+308", "from 1 to 1e+09"),
    (["run", "--concurrency", "1e12"], "concurrency = 1000000000000", "from 1 to 1e+09"),
    (["run", "--seed", "99999999999999999999999"], "seed = 99999999999999999999999", "18446744073709551615"),
    (["run", "--seed", "18446744073709551616"], "seed = 18446744073709551616", "from 0 to"),
    (["run", "--retry", "fixed", "--retry-base", "10", "--retry-cap", "1"], "retry_cap_s = 1", "retry_base_s = 10"),
    (["run", "--save", ""], "save = ''", "must name a folder"),
    (["run", "--scenario", ""], "scenario = ''", "must name a file"),
    (["compare", "--save", " "], "save = ' '", "must name a folder"),
    (["libraries", "--save", ""], "save = ''", "must name a folder"),
    (["run", "--scenario", ROOT / "scenarios/article.toml", "--workload", "burst"], "duration_s = 7200", "steady"),
]


@pytest.mark.parametrize(("argv", *["named"]), [(case[0], case[1:]) for case in FLAG_CASES], ids=str)
def test_a_bad_flag(capsys, argv, named):
    fails_with(capsys, argv, *named)


# -- scenario files -------------------------------------------------------------------

TOML_CASES = [
    ("seed = [\n", "scenario", "is not valid TOML"),
    ("[tokens]\nacess_ttl_s = 60\n", "[tokens] acess_ttl_s = 60", "unknown key; allowed: access_ttl_s"),
    ("colour = 'blue'\n", "colour = 'blue'", "unknown key"),
    ("tokens = 3\n", "tokens = 3", "must be a [section] of keys"),
    ("[workload]\nusers = 2.5\n", "[workload] users = 2.5"),
    ("[client]\ntab_sync = true\n", "tab_sync = True", "instant, measured"),
    ("[client]\nstorage = 'tab'\nrefresh_in = 'shared-worker'\n", "refresh_in = 'shared-worker'", "storage = tab"),
    ("[client]\nretry = 'immediate'\nretry_on = 'sometimes'\n", "retry_on = 'sometimes'", "network"),
    ("[refresh_tokens]\nrevoke_access_on_rotation = 'yes'\n", "revoke_access_on_rotation = 'yes'"),
    ("seed = -1\n", "seed = -1"),
    ("strategies = ['naive', 'naive']\n", "strategies = ['naive', 'naive']", "each once"),
    ("strategies = []\n", "strategies = []"),
    ("strategies = 'naive'\n", "strategies = 'naive'"),
    ("name = 3\n", "name = 3", "must be a string"),
    ("record_calls = 'no'\n", "record_calls = 'no'", "true or false"),
    ("[workload]\nkind = 'steady'\nat_s = 5\n", "[workload] at_s = 5", "only the burst workload uses it"),
    ("[workload]\nkind = 'burst'\nsynchronized = true\n", "[workload] synchronized = True", "steady"),
    ("[client]\nmax_retries = 500\n", "[client] max_retries = 500"),
    ("[client]\nsingle_flight = 'browser'\n", "[client] single_flight = 'browser'"),
    ("[tokens]\naccess_ttl_s = 'soon'\n", "[tokens] access_ttl_s = 'soon'"),
    ("[latencies]\nrtt_s = inf\n", "[latencies] rtt_s = inf"),
    ("[refresh_tokens]\nreuse_detection = true\n", "[refresh_tokens] reuse_detection = True", "needs rotation"),
    ("[refresh_tokens]\nrotation = 'yes'\n", "[refresh_tokens] rotation = 'yes'", "true or false"),
    ("[refresh_tokens]\ngrace = 5\n", "[refresh_tokens] grace = 5", "unknown key; allowed: rotation"),
    ("[workload]\ntabs = 0\n", "[workload] tabs = 0"),
    ("[workload]\nkind = 'trace'\narrivals = 'a.csv'\ntabs = 2\n", "[workload] tabs = 2", "this file's is trace"),
    ("[client]\nstorage = 'session'\n", "[client] storage = 'session'", "local, cookie"),
    ("[client]\ncross_tab_lock = 1\n", "[client] cross_tab_lock = 1", "must be one of false, true"),
    ("[workload]\nkind = 'trace'\narrivals = 'missing.csv'\n", "arrivals", "no such file"),
    ("[client]\nproactive = 'eager'\n", "[client] proactive = 'eager'", "off, on-use, timer, background"),
    ("[client]\nmargin_s = 30\n", "[client] margin_s = 30", "only proactive = on-use or timer or background reads it"),
    ("[clocks]\nclock_offset_s = 'fast'\n", "[clocks] clock_offset_s = 'fast'"),
    ("[clocks]\noffset_s = 5\n", "[clocks] offset_s = 5", "unknown key; allowed: clock_offset_s"),
    ("[faults]\nunfixable_401_rate = 2\n", "[faults] unfixable_401_rate = 2", "from 0 to 1"),
    ("variants = 3\n", "variants = 3", "must be [variants.NAME] tables"),
    ("[variants]\nfast = 3\n", "[variants.fast] = 3", "must be a table of [sections]"),
    ("[variants.fast.engine]\nspeed = 3\n", "[variants.fast] engine", "unknown section; allowed: tokens"),
    ("[variants.fast.tokens]\nacess_ttl_s = 3\n", "[variants.fast.tokens] acess_ttl_s = 3", "unknown key"),
    ("[variants.fast.tokens]\naccess_ttl_s = -3\n", "[variants.fast] access_ttl_s = -3", "seconds >= 1"),
    ("[variants.fast.client]\nmargin_s = 30\n", "[variants.fast] margin_s = 30", "only proactive = on-use"),
    ("[variants.fast.workload]\nat_s = 5\nkind = 'steady'\n", "[variants.fast.workload] at_s = 5", "burst"),
    # [faults], [browser] and the client's timeouts and retries (issue: faults and retries)
    ("[faults]\nauth_outages = ['5']\n", "[faults] auth_outages = '5'", "must be START:END[:MODE]"),
    ("[faults]\nauth_outages = '10:5'\n", "[faults] auth_outages = '10:5'", "0 <= START < END"),
    ("[faults]\nauth_outages = ['1:2', 'a:b']\n", "[faults] auth_outages = 'a:b'"),
    ("[faults]\nauth_outages = ['1:2:down']\n", "[faults] auth_outages = '1:2:down'", "503 (the default) or silent"),
    ("[faults]\nauth_outages = ['1:2:3:4']\n", "[faults] auth_outages = '1:2:3:4'"),
    ("[faults]\nauth_outages = [[2, 1]]\n", "[faults] auth_outages = '2:1'", "0 <= START < END"),
    (
        "[faults]\nauth_outages = [[1, 2, 'down']]\n",
        "[faults] auth_outages = '1:2:down'",
        "503 (the default) or silent",
    ),
    ("[faults]\nauth_brownouts = [[1, 2]]\n", "[faults] auth_brownouts = '1:2'", "START:END:FACTOR"),
    ("[faults]\nauth_outages = ['1:2', 3]\n", "[faults] auth_outages = 3"),
    ("[faults]\nauth_brownouts = ['1:2']\n", "[faults] auth_brownouts = '1:2'", "must be START:END:FACTOR"),
    ("[faults]\nauth_brownouts = ['1:2:0.5']\n", "[faults] auth_brownouts = '1:2:0.5'", "from 1 to 1000"),
    ("[faults]\nauth_brownouts = ['1:2:1001']\n", "[faults] auth_brownouts = '1:2:1001'"),
    ("[faults]\nauth_rate_limit = 0\n", "[faults] auth_rate_limit", "must be PER_S[:BURST], numbers > 0"),
    ("[faults]\nauth_rate_limit = -1\n", "[faults] auth_rate_limit", "numbers > 0"),
    ("[faults]\nauth_rate_limit = 'a'\n", "[faults] auth_rate_limit = 'a'"),
    ("[faults]\nauth_rate_limit = '1:0'\n", "[faults] auth_rate_limit = '1:0'", "BURST >= 1"),
    ("[faults]\nauth_rate_limit = [1, 0]\n", "[faults] auth_rate_limit = '1:0'"),
    ("[faults]\nauth_rate_limit = true\n", "[faults] auth_rate_limit = True"),
    ("[faults]\nrefresh_loss = 2\n", "[faults] refresh_loss = 2", "from 0 to 1"),
    ("[faults]\nrefresh_loss = 'some'\n", "[faults] refresh_loss = 'some'"),
    ("[faults]\noutages = ['1:2']\n", "[faults] outages = ['1:2']", "unknown key; allowed: unfixable_401_rate"),
    ("[browser]\nmax_connections = -1\n", "[browser] max_connections = -1", "whole number of connections"),
    ("[browser]\nmax_connections = 1.5\n", "[browser] max_connections = 1.5"),
    ("[browser]\nclient_cost_s = -1\n", "[browser] client_cost_s = -1", "seconds >= 0"),
    ("[browser]\nconnections = 6\n", "[browser] connections = 6", "unknown key; allowed: max_connections"),
    ("browser = 6\n", "browser = 6", "must be a [section] of keys"),
    ("[client]\nrefresh_timeout_s = -1\n", "[client] refresh_timeout_s = -1", "seconds >= 0"),
    ("[client]\napi_timeout_s = 'soon'\n", "[client] api_timeout_s = 'soon'"),
    ("[client]\nretry = 'sometimes'\n", "[client] retry = 'sometimes'", "none, immediate, fixed"),
    ("[client]\nretry = 'fixed'\nmax_tries = 0\n", "[client] max_tries = 0", "from 1 to 100"),
    ("[client]\nretry = 'fixed'\nmax_tries = 101\n", "[client] max_tries = 101", "from 1 to 100"),
    ("[client]\nretry = 'fixed'\nretry_cap_s = -2\n", "[client] retry_cap_s = -2", "seconds >= 0"),
    ("[client]\nretry = 'fixed'\nretry_budget = 'x'\n", "[client] retry_budget = 'x'", "PER_S[:BURST]"),
    ("[client]\nretry = 'fixed'\nretry_budget = [1, 2, 3]\n", "[client] retry_budget = [1, 2, 3]"),
    ("[client]\nretry = 'fixed'\nretry_after = 'yes'\n", "[client] retry_after = 'yes'", "true or false"),
    ("[client]\nretry_base_s = 1\n", "[client] retry_base_s = 1", "this client's retry is none"),
    ("[client]\nmax_tries = 3\n", "[client] max_tries = 3", "this client's retry is none"),
    ("[client]\nretry = 'none'\nretry_budget = '1:2'\n", "[client] retry_budget", "this client's retry is none"),
    ("[client]\nretry_after = true\n", "[client] retry_after = True", "this client's retry is none"),
    ("[client]\nretries_exhausted = 'never'\n", "[client] retries_exhausted = 'never'", "logout, fail"),
    ("[variants.down.faults]\nauth_outages = ['9:1']\n", "[variants.down] auth_outages = '9:1'", "START < END"),
    ("[variants.slow.browser]\nmax_connections = -2\n", "[variants.slow] max_connections = -2"),
    ("[variants.r.client]\nmax_tries = 2\n", "[variants.r] max_tries = 2", "this client's retry is none"),
    # issue 26
    ("[workload]\nusers = 1e308\n", "[workload] users = 1e+308", "from 1 to 1e+09"),
    ("seed = 18446744073709551616\n", "seed = 18446744073709551616", "from 0 to 18446744073709551615"),
    ("[workload]\nkind = 'trace'\narrivals = 5\n", "[workload] arrivals = 5", "as a string"),
    ("[workload]\nkind = 'trace'\narrivals = true\n", "[workload] arrivals = True", "as a string"),
    ("record_calls = true\n", "record_calls = True", "give --save too"),
    ("[client]\nretry = 'fixed'\nretry_base_s = 5\nretry_cap_s = 1\n", "retry_cap_s = 1", "retry_base_s = 5"),
    ("[workload]\nat_s = 5\n[variants.s.workload]\nkind = 'steady'\n", "[variants.s] at_s = 5", "variant's is steady"),
    ("[workload]\nusers = " + "[" * 40 + "1" + "]" * 40 + "\n", "scenario", "over 16 deep"),
    ("[workload]\nusers = " + "{a = " * 40 + "1" + "}" * 40 + "\n", "scenario", "over 16 deep"),
    ("[" + ".".join(["a"] * 40) + "]\nb = 1\n", "scenario", "over 16 deep"),
    (".".join(["a"] * 40) + " = 1\n", "scenario", "over 16 deep"),
    ("a = " + "[" * 100000 + "\n", "scenario", "over 16 deep"),
]


@pytest.mark.parametrize(("text", *["named"]), [(case[0], case[1:]) for case in TOML_CASES], ids=str)
def test_a_bad_scenario_file(capsys, tmp_path, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    fails_with(capsys, ["run", "--scenario", path], *named)


# A fault list given as a bare number or boolean (once a TypeError traceback: fixed).
@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[faults]\nauth_outages = 5\n", "[faults] auth_outages = 5"),
        ("[faults]\nauth_outages = true\n", "[faults] auth_outages = True"),
        ("[faults]\nauth_brownouts = 2.5\n", "[faults] auth_brownouts = 2.5"),
    ],
    ids=str,
)
def test_a_fault_list_that_is_no_list(capsys, tmp_path, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    fails_with(capsys, ["run", "--scenario", path], named)


def test_a_scenario_file_that_is_no_file(capsys, tmp_path):
    fails_with(capsys, ["run", "--scenario", tmp_path / "none.toml"], "scenario", "no such file")
    fails_with(capsys, ["run", "--scenario", tmp_path], "scenario", "is a folder, not a file")
    fails_with(capsys, ["run", "--scenario", "/dev/zero"], "scenario = '/dev/zero'", "is not a regular file")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    fails_with(capsys, ["run", "--scenario", fifo], "scenario", "is not a regular file")


def test_a_scenario_file_too_large_or_not_text(capsys, tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_000_000 + "\n")
    fails_with(capsys, ["run", "--scenario", big], "scenario", "files over 1,000,000 bytes are refused")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    fails_with(capsys, ["run", "--scenario", binary], "scenario", "is not UTF-8 text")


def test_whole_number_floats_in_a_file_are_whole_numbers(capsys, tmp_path):
    path = tmp_path / "floats.toml"
    path.write_text("seed = 2.0\n[workload]\nusers = 2.0\nconcurrency = 3.0\n[tokens]\naccess_ttl_s = 60.0\n")
    assert main(["run", "--scenario", str(path), "--json"]) == 0
    assert '"requests": 6' in capsys.readouterr().out


# -- trace files --------------------------------------------------------------------------

TRACE_CASES = [
    ("time,user\n0,alice\n", "columns = 'time,user'", "must be exactly time_s,user"),
    ("time_s,user\n1.0,alice\nsoon,bob\n", "line 3 = 'soon,bob'"),
    ("time_s,user\n-1,alice\n", "line 2 = '-1,alice'"),
    ("time_s,user\ninf,alice\n", "line 2 = 'inf,alice'", "from 0 to 1e+09"),
    ("time_s,user\nnan,alice\n", "line 2 = 'nan,alice'"),
    ("time_s,user\n1e10,alice\n", "line 2 = '1e10,alice'"),
    ("time_s,user\n1.0,alice,\n", "line 2 = '1.0,alice,'", "two fields"),
    ("time_s,user\n1.0\n", "line 2 = '1.0'", "time_s,user (found 1)"),
    ("time_s,user\n1.0,\n", "line 2 = '1.0,'", "user must not be empty"),
    ("time_s,user\n", "arrivals", "needs at least one row"),
    ("", "columns = ''", "must be exactly time_s,user"),
]


@pytest.mark.parametrize(("text", *["named"]), [(case[0], case[1:]) for case in TRACE_CASES], ids=str)
def test_a_bad_trace_file(capsys, tmp_path, text, named):
    path = tmp_path / "arrivals.csv"
    path.write_text(text)
    fails_with(capsys, ["run", "--workload", "trace", "--arrivals", path], *named)


def test_a_trace_file_that_is_no_file(capsys, tmp_path):
    fails_with(capsys, ["run", "--workload", "trace", "--arrivals", tmp_path / "no.csv"], "arrivals", "no such file")
    fails_with(capsys, ["run", "--workload", "trace", "--arrivals", tmp_path], "arrivals", "is a folder")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"time_s,user\n\xff,\xfe\n")
    fails_with(capsys, ["run", "--workload", "trace", "--arrivals", binary], "arrivals", "is not UTF-8 text")


# -- output paths -----------------------------------------------------------------------------


def test_an_output_folder_that_cannot_be_one(capsys, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    fails_with(capsys, ["run", "--save", a_file], "save", "is a file, not a folder")
    fails_with(capsys, ["run", "--save", a_file / "below"], "save", "lies below a file")
    fails_with(capsys, ["figures", "--out", a_file], "out", "is a file, not a folder")
    fails_with(capsys, ["figures", "--out", a_file / "below"], "out", "lies below a file")
    (tmp_path / "taken" / "naive-requests.csv").mkdir(parents=True)  # a folder where a file must go
    fails_with(capsys, ["run", "--save", tmp_path / "taken"], "save", "naive-requests.csv", "cannot be written")


# -- the real command: devices, pipes, Ctrl-C --------------------------------------------------


def command(*argv, **options):
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *argv], cwd=ROOT, stderr=subprocess.PIPE, text=True, **options
    )


def test_the_command_refuses_a_device_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", "--scenario", "/dev/zero"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == "error: scenario = '/dev/zero': is not a regular file (a device or a pipe cannot be read to its end)\n"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_bad_input_is_exit_2_even_when_stderr_is_full():
    """The one line cannot be written (``2>/dev/full``): the status still says it was the input (issue 26)."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sim", "run", "--access-ttl", "-1"], cwd=ROOT, stderr=full, timeout=60, check=False
        )
    assert done.returncode == 2


def test_a_closed_pipe_ends_the_command_quietly():
    process = command("run", "--help", stdout=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the first line is written (as `| head -0`)
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == ""


def wait_for_cpu_seconds(pid: int, seconds: float, timeout_s: float = 120) -> None:
    """Until the process (with its workers) has used ``seconds`` of CPU: however loaded the machine,
    it is then past its imports (a Ctrl-C during ``import`` would be Python's, not the command's)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu_s(pid: int) -> float:  # its own, and its worker processes' (compare runs presets in them)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except FileNotFoundError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks + sum(cpu_s(int(child)) for child in children)

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if cpu_s(pid) >= seconds:
            return
        time.sleep(0.1)
    raise AssertionError(f"the command used less than {seconds} s of CPU in {timeout_s} s")


def sigint_as_in_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
@pytest.mark.parametrize("which", ["run", "compare"])
def test_ctrl_c_ends_the_command_without_a_traceback(which):
    long_run = ["--workload", "steady", "--users", "2000", "--duration", "100000", "--max-requests", "100000000",
                "--max-refreshes", "100000000"]  # fmt: skip
    # as a terminal starts it: a shell's background job (`make test &`) ignores SIGINT, and a child
    # inherits that, so without this the test failed whenever the suite itself ran in the background
    process = command(which, *long_run, stdout=subprocess.DEVNULL, preexec_fn=sigint_as_in_a_terminal)
    wait_for_cpu_seconds(process.pid, 2.0)  # imports (about 0.5 s of CPU) done, the simulation under way
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    assert process.stderr.read() == "interrupted\n"
