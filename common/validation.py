"""Model validation before a write, with errors a user can act on.

Services call `full_clean(obj)` before `save()` (HackSoftware's styleguide): lengths, digits and
choices are checked against the columns on every database, not left to PostgreSQL (which refuses
an over-long text or an amount beyond its precision with an error page) or to SQLite (which
stores it). Django names no field in its messages; here each carries the field's label."""

from django.core.exceptions import ValidationError
from django.db.models import Model


def full_clean(obj: Model, *, exclude: tuple[str, ...] = ()) -> None:
    """`obj.full_clean()` without database round trips (uniqueness, constraints and the existence
    of related rows stay the database's to enforce), raising ValidationError("标签：原因", …)."""
    related = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    try:
        obj.full_clean(exclude=[*related, *exclude], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            [
                _labelled(obj, name, message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        ) from None


def _labelled(obj: Model, name: str, message: str) -> str:
    if name == "__all__":
        return message
    return f"{obj._meta.get_field(name).verbose_name}：{message}"  # type: ignore[union-attr]  # name is a concrete field
