"""No ID or bank number in the logs: every record's message and traceback has each run of ten
or more digits (an ID number may end in X) masked as on the pages, whatever logged it (our
code, Django's request errors, a database error quoting a row)."""

import logging
import re

from .idcard import mask_id_number

NUMBER = re.compile(r"(?<![0-9])[0-9]{9,}[0-9Xx](?![0-9A-Za-z])")


def hide_numbers(text: str) -> str:
    return NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)


class HideNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = hide_numbers(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = hide_numbers(logging.Formatter().formatException(record.exc_info))
        return True
