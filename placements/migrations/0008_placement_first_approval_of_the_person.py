from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def earliest(apps, schema_editor):
    """初次核定 is the person's first approval ever (docs/policy.md §7.2): a returning person's later
    placements take the earliest first approval of their placements (one UPDATE)."""
    Placement = apps.get_model("placements", "Placement")
    first = (
        Placement.objects.filter(person_id=OuterRef("person_id"))
        .values("person_id")
        .annotate(first=Min("first_approved_on"))
        .values("first")
    )
    Placement.objects.update(first_approved_on=Subquery(first))


class Migration(migrations.Migration):
    dependencies = [("placements", "0007_placement_subsidy_until")]

    operations = [migrations.RunPython(earliest, migrations.RunPython.noop)]
