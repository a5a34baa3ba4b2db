"""Shared test setup: the ``full`` marker that splits the two tiers, and Hypothesis profiles.

Both tiers run these same modules:

- ``make test`` runs everything (``pytest tests``): every notebook executed from a clean kernel,
  the browser, the site, every figure rebuilt. That takes minutes, most of them in notebooks and
  figures.
- ``make check`` runs ``pytest -m "not full"`` with ``HYPOTHESIS_PROFILE=check``: every
  exact-timeline, invariant and CLI or bad-input test, in about a minute on two cores (under 90 s
  with lint). ``tools/mutations.py`` shows that it catches one-line mistakes in ``sim/``.

The ``full`` marker is given here, not in the modules: to every test of ``FULL_MODULES``, every
test marked ``slow``, and the tests of ``FULL_TESTS`` (several seconds each, and none of them pins a
timeline, an invariant or the command line).

Hypothesis profiles: ``ci`` (the default, so ``make test``: 50 examples), ``check`` (10, for
``make check``) and ``dev`` (300, to search harder). Pick one with ``HYPOTHESIS_PROFILE=dev pytest``.
``ci`` and ``check`` are derandomized (each test's examples follow from its name, and no example
database replays another run's finds), so what they catch is the same on every run and every machine;
``dev`` searches at random, a new part of the space each time, and keeps what it finds in
``.hypothesis/`` to try first next time.
"""

import os
import warnings

import pytest
from hypothesis import HealthCheck, settings

FULL_MODULES = {
    "test_notebooks.py",
    "test_notebook_outputs.py",
    "test_figures.py",
    "test_animation.py",
    "test_site.py",
    "test_browser.py",
    "test_reality_stack.py",
}

# (module, test function): every parametrization of it.
FULL_TESTS = {
    ("test_cli.py", "test_bench_prints_its_figures"),  # a benchmark, timed
    ("test_sweep.py", "test_the_sweep_benchmark_times_each_path_on_the_same_runs"),  # a benchmark, timed
    ("test_sweep.py", "test_inline_processes_and_dask_give_the_same_runs"),  # starts process and dask pools
    ("test_directional.py", "test_the_preflight_estimate_is_the_expected_request_count"),  # ~130 000 requests
    ("test_playground.py", "test_the_notebook_runs_and_shows_the_widgets"),  # executes a notebook
}

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=50,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "check",
    deadline=None,
    max_examples=10,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=300)  # random, and longer: to search harder locally
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def is_full(item: pytest.Item) -> bool:
    module = item.path.name
    name = getattr(item, "originalname", item.name)
    return module in FULL_MODULES or (module, name) in FULL_TESTS or item.get_closest_marker("slow") is not None


# `make test` runs on every CPU (pytest-xdist, --dist loadgroup): the heavy modules each keep to one
# worker, so the figures' data (made once per session) and the notebooks run side by side, and the
# rest of the tests fill in around them one by one.
HEAVY_GROUPS = {
    "test_figures.py": "figures",
    "test_animation.py": "figures",
    "test_notebook_outputs.py": "notebooks",
    "test_site.py": "site",
    "test_browser.py": "site",
    "test_reality_stack.py": "site",  # one Chromium at a time
}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if is_full(item):
            item.add_marker(pytest.mark.full)
        group = HEAVY_GROUPS.get(item.path.name)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    # A test of FULL_TESTS renamed away would slip into make check unseen: say so.
    modules = {item.path.name: item.module for item in items if isinstance(item, pytest.Function)}
    for module, name in sorted(FULL_TESTS):
        if module in modules and not hasattr(modules[module], name):
            warnings.warn(f"tests/conftest.py FULL_TESTS names {module}::{name}, which {module} lacks", stacklevel=1)
