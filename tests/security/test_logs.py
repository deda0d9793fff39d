"""ID and bank numbers never reach the logs: a record quoting one (a database error's detail, a
request line) is written with the number masked, its traceback too."""

import logging

from common.logfilter import HideNumbers, hide_numbers

NUMBER = "37150219700101123X"
ACCOUNT = "6222020200000000123"


def test_numbers_are_masked_in_text() -> None:
    text = f"DETAIL: Key (id_number)=({NUMBER}) already exists; account {ACCOUNT}; page 2; 2022-03-01"
    hidden = hide_numbers(text)
    assert NUMBER not in hidden and ACCOUNT not in hidden
    assert "371502********123X" in hidden and "***************0123" in hidden
    assert "page 2; 2022-03-01" in hidden


def test_a_logged_error_and_its_traceback_are_masked(caplog) -> None:
    logger = logging.getLogger("tests.logs")
    logger.addFilter(HideNumbers())
    try:
        raise ValueError(f"duplicate key {NUMBER}")
    except ValueError:
        logger.exception("import of %s failed", NUMBER)
    record = caplog.records[-1]
    formatted = logging.Formatter().format(record)
    assert NUMBER not in formatted and "371502********123X" in formatted
    assert "duplicate key 371502********123X" in formatted


def test_the_settings_put_the_filter_on_every_handler() -> None:
    from django.conf import settings

    for handler in settings.LOGGING["handlers"].values():
        assert "hide_numbers" in handler["filters"]


def test_djangos_own_logger_and_celery_workers_keep_the_filtered_handler() -> None:
    from django.conf import settings

    assert settings.LOGGING["loggers"]["django"] == {
        "handlers": ["console"],
        "level": "INFO",
        "propagate": False,
    }
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
    (console,) = [h for h in logging.getLogger("django").handlers if h.name == "console"]
    assert any(isinstance(f, HideNumbers) for f in console.filters)
