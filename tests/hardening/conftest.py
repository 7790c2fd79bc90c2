"""Hardening fixtures: the hypothesis profiles, and the lab backend this machine supports
(shared with ``tests/lab``).

Profiles: ``ci`` (the default: 250 examples per property, derandomised, so CI is repeatable and
bounded) and ``long`` (``BIOSWEEP_HYPOTHESIS_PROFILE=long``: 20,000 random examples each, for
deep runs; see ``bench/fuzz/README.md``).
"""

import os

from hypothesis import HealthCheck, settings

from tests.lab.conftest import backend_name, namespaces_reason

settings.register_profile(
    "ci", max_examples=250, deadline=10_000, derandomize=True,  # a hang guard, not a benchmark
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.register_profile("long", max_examples=20_000, deadline=5000)
settings.load_profile(os.environ.get("BIOSWEEP_HYPOTHESIS_PROFILE", "ci"))

__all__ = ["backend_name", "namespaces_reason"]
