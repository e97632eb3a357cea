from tests.fixtures.orientation_offer import offer  # noqa: F401
