"""Distributions on a time grid: the shared arithmetic of the capacity model.

Every time in the model (a token's life, the wait for the next page, a
login) is a distribution of mass on the points ``0, dt, 2 dt, ...``.
A value between two points is split between them in proportion to how
near it is (linear interpolation), so a distribution's mean survives the
grid exactly and sums of times (convolutions) keep their means: after a
hundred token lifetimes the waves are still where they should be.
"""

from __future__ import annotations

import numpy as np

SUBSTEPS = 16  # a continuous distribution is cut into this many pieces per grid step


def on_grid(values: np.ndarray, weights: np.ndarray, dt: float) -> np.ndarray:
    """Masses ``weights`` at times ``values`` (>= 0), split between the two nearest grid points."""
    where = np.asarray(values, float) / dt
    low = np.floor(where).astype(np.int64)
    upper = where - low
    size = int(low.max()) + 2 if len(low) else 1
    pmf = np.bincount(low, weights * (1 - upper), minlength=size)
    pmf += np.bincount(low + 1, weights * upper, minlength=size)
    return pmf


def point(at_s: float, dt: float) -> np.ndarray:
    """All the mass at one time."""
    return on_grid(np.array([at_s]), np.array([1.0]), dt)


def uniform(width_s: float, dt: float) -> np.ndarray:
    """Uniform on ``[0, width_s]`` (a point at 0 for width 0)."""
    if width_s <= 0:
        return point(0.0, dt)
    pieces = max(1, int(np.ceil(width_s / dt * SUBSTEPS)))
    centres = (np.arange(pieces) + 0.5) * width_s / pieces
    return on_grid(centres, np.full(pieces, 1.0 / pieces), dt)


def whole_seconds(most_s: int, dt: float) -> np.ndarray:
    """Uniform on the whole numbers ``0, 1, ..., most_s``."""
    return on_grid(np.arange(most_s + 1, dtype=float), np.full(most_s + 1, 1.0 / (most_s + 1)), dt)


def falling(width_s: float, dt: float) -> np.ndarray:
    """A density falling linearly from its highest at 0 to nothing at ``width_s`` (a recovery's logins)."""
    if width_s <= 0:
        return point(0.0, dt)
    pieces = max(1, int(np.ceil(width_s / dt * SUBSTEPS)))
    edges = np.linspace(0.0, width_s, pieces + 1)
    cdf = 1 - (1 - edges / width_s) ** 2
    return on_grid((edges[:-1] + edges[1:]) / 2, np.diff(cdf), dt)


def exponential(rate_per_s: float, dt: float, tail: float = 1e-12) -> np.ndarray:
    """Exponential with this rate, cut where less than ``tail`` of it is left (that bit at the cut)."""
    end_s = -np.log(tail) / rate_per_s
    pieces = max(1, int(np.ceil(end_s / dt * SUBSTEPS)))
    edges = np.linspace(0.0, end_s, pieces + 1)
    cdf = 1 - np.exp(-rate_per_s * edges)
    masses = np.diff(cdf)
    masses[-1] += 1 - cdf[-1]
    # each piece's mass at its own mean (an exponential's mean on [a, a + w) is a + 1/rate - w/(e^(rate w) - 1)),
    # so that the mean survives the cut into pieces
    width = end_s / pieces
    inside = edges[:-1] + 1 / rate_per_s - width / np.expm1(rate_per_s * width)
    return on_grid(inside, masses, dt)


def shifted(pmf: np.ndarray, by_s: float, dt: float) -> np.ndarray:
    """``pmf`` moved later by ``by_s`` (>= 0), split between grid points like any other time."""
    return np.convolve(pmf, point(by_s, dt))


def convolve(*pmfs: np.ndarray) -> np.ndarray:
    """The distribution of a sum of independent times."""
    total = pmfs[0]
    for pmf in pmfs[1:]:
        total = np.convolve(total, pmf)
    return total


def mean_s(pmf: np.ndarray, dt: float) -> float:
    return float(np.dot(np.arange(len(pmf)), pmf) * dt / pmf.sum())
