"""A BFF's load balancer: which instance serves each request of a session."""

from __future__ import annotations

import random

from ..config.deployment import Deployment


class LoadBalancer:
    """Round-robin (one counter for every session), random, or sticky (the session's cookie hashes to
    one instance)."""

    def __init__(self, deployment: Deployment, rng: random.Random | None):
        self.instances, self.balancer = deployment.instances, deployment.balancer
        self.rng = rng
        self.next = 0  # round-robin's turn

    def pick(self, user: int) -> int:
        if self.balancer == "sticky":
            return user % self.instances
        if self.balancer == "random":
            return self.rng.randrange(self.instances)
        instance, self.next = self.next, (self.next + 1) % self.instances
        return instance
