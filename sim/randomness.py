"""One seed, many independent random streams, one per source of randomness.

Each stream is named (``"logins"``, ``"pages"``, ...) and, where there is one
per user, numbered. Its state comes from ``numpy.random.SeedSequence`` with
the name's index (and the user's number) as spawn key, so streams never
overlap and adding a stream never shifts another. Two strategies run with
one seed therefore see exactly the same logins and page loads (common random
numbers), and any difference between them is the strategy's doing.

The streams are ``random.Random`` objects: the model draws one number at a
time, and for single draws the standard library is several times faster
than numpy.
"""

from __future__ import annotations

import random

import numpy as np

# New names go at the end: a stream's key is its name's place here.
STREAM_NAMES = (
    "logins",
    "pages",
    "api_service",
    "auth_service",
    "access_ttl",
    "clocks",
    "unfixable",
    "retries",
    "losses",
    "tab_sync",
    "balancer",
)


def stream(seed: int, name: str, *index: int) -> random.Random:
    """The random stream ``name`` (for user ``index``, if given) of run ``seed``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(STREAM_NAMES.index(name), *index))
    return random.Random(int.from_bytes(sequence.generate_state(4).tobytes(), "little"))
