"""Writes for the post catalogue."""

from django.db import transaction

from .models import Duty, PostCategory


@transaction.atomic
def catalogue_load(*, data: dict) -> int:
    """Create or update the five categories and their duties per line; returns the duty count."""
    count = 0
    for position, item in enumerate(data["categories"], start=1):
        category, _ = PostCategory.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "position": position}
        )
        for line, names in item["duties"].items():
            for duty_position, name in enumerate(names, start=1):
                Duty.objects.update_or_create(
                    category=category, line=line, name=name, defaults={"position": duty_position}
                )
                count += 1
    return count
