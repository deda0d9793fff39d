"""The city and province users and a locked March of 东昌府区, as tests/townships/test_city_province.py
makes them."""

from tests.townships.test_city_province import march, supervisors

__all__ = ["march", "supervisors"]
