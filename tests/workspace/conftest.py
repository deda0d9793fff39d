"""The recruiting round of tests/placements, for the list tests."""

from tests.placements.conftest import recruiting  # noqa: F401
