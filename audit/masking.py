"""How ID and bank numbers appear in the audit log: as on the pages, only their ends."""

from common.idcard import mask_id_number


def mask(value: str) -> str:
    """An 18-character ID number keeps its first 6 and last 4 characters; anything else (a bank
    account) only its last 4. "None" (an empty field as django-auditlog writes it) stays."""
    if value in ("", "None"):
        return value
    return mask_id_number(value)
