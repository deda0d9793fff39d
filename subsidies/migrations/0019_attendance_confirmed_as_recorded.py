"""Every attendance record made before village sheets was the township's own: confirmed by whoever
recorded it, when they recorded it (docs/policy.md §9.2). One UPDATE."""

from django.db import migrations
from django.db.models import F


def confirm_as_recorded(apps, schema_editor) -> None:
    Attendance = apps.get_model("subsidies", "Attendance")
    Attendance.objects.update(confirmed_by=F("recorded_by"), confirmed_at=F("recorded_at"))


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0018_village_attendance_sheets")]

    operations = [migrations.RunPython(confirm_as_recorded, migrations.RunPython.noop)]
