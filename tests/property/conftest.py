"""Shared settings of the property tests: modest example counts, no deadline."""

from hypothesis import HealthCheck, settings

# Function-scoped fixtures (the app, a committed world) are shared by the
# examples of one test on purpose: each example must leave the data consistent.
PROPERTY = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
