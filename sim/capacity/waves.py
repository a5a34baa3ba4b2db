"""From logins to refresh waves: the renewal equation, solved on the grid.

Every holder's first token comes from its login; each refresh brings the
next one, a refresh cycle later (``cycle.py``). So the rate at which
refreshes reach the auth server is the logins' rate convolved with the
cycle once (the first refreshes), twice (the second), and so on::

    r = g * f + g * f * f + g * f * f * f + ...        (g: logins, f: one cycle)

If everyone logs in at once (a deploy that drops every session, an outage's
end), the first term is a wave one cycle after it, as wide as the cycle's
spread; each later wave is wider and lower (the spreads add up), until the
rate settles at its mean, holders / mean cycle. Logins spread evenly over
a lifetime give that mean almost at once.

The sum is one line in Fourier space, ``R = G F / (1 - F)``. To keep the
circular FFT from wrapping late mass onto early times, every sequence is
damped by ``exp(-a n)`` first and undamped after (the damped sum has no
pole at frequency 0 either). Cost: three FFTs of a few times the number of
grid steps, whatever the number of users.
"""

from __future__ import annotations

import numpy as np

from . import grid

DAMPING = 30.0  # e^-30 of the mass that would wrap around the circular FFT is left
ROUNDING = 1e-12  # less than this share of the highest rate is taken as none


def renewals(first: np.ndarray, cycle: np.ndarray, steps: int) -> np.ndarray:
    """The density of refreshes on ``steps`` grid points, from the issue density ``first``
    (the logins' tokens) and one cycle's distribution ``cycle`` (``cycle[0]`` must be 0)."""
    if cycle[0] > 0:
        raise ValueError("a refresh cycle cannot take no time at all")
    size = 1 << int(np.ceil(np.log2(2 * (steps + len(cycle) + len(first)))))
    damp = np.exp(-DAMPING / size * np.arange(size))
    g = np.fft.rfft(_padded(first, size) * damp)
    f = np.fft.rfft(_padded(cycle, size) * damp)
    rate = np.fft.irfft(g * f / (1 - f), size)[:steps] / damp[:steps]
    rate[rate < ROUNDING * rate.max(initial=0.0)] = 0.0  # the FFT's rounding, not refreshes
    return rate


def _padded(values: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size)
    out[: min(len(values), size)] = values[:size]
    return out


def logins(shape: str, window_s: float, half_rtt_s: float, dt: float) -> np.ndarray:
    """When the logins reach the auth server, as a density: all at 0 (``synchronized``), evenly over
    ``window_s`` (``uniform``), or most at once and fewer and fewer until ``window_s`` (``ramp``)."""
    start = {"synchronized": grid.point(0.0, dt), "uniform": grid.uniform(window_s, dt)}
    density = start[shape] if shape in start else grid.falling(window_s, dt)
    return grid.shifted(density, half_rtt_s, dt)


def binned(per_step: np.ndarray, dt: float, bin_s: float) -> np.ndarray:
    """Counts on the grid summed into bins of ``bin_s`` from 0 (a last, partial bin dropped)."""
    per_bin = max(1, round(bin_s / dt))
    whole = len(per_step) // per_bin * per_bin
    return per_step[:whole].reshape(-1, per_bin).sum(axis=1)
