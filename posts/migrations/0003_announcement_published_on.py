"""Announcement.published_on: the business date of publication (docs/policy.md §5.2, §6.2: an application
falls within its announcement's period, and an announcement whose deadline has passed cannot be
published, which the check constraint holds). Rows written before it take the day they were
written, or their deadline if that came first (an announcement published after its deadline, the
defect of issue 17, then opens and closes on its deadline)."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def fill_published_on(apps, schema_editor) -> None:
    Announcement = apps.get_model("posts", "Announcement")
    for announcement in Announcement.objects.only("published_at", "deadline").iterator():
        written: dt.date = timezone.localdate(announcement.published_at)
        announcement.published_on = min(written, announcement.deadline)
        announcement.save(update_fields=["published_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0002_post_department_post_kind_post_working_time_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="published_on",
            field=models.DateField(null=True, verbose_name="发布日期"),
        ),
        migrations.RunPython(fill_published_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="announcement",
            name="published_on",
            field=models.DateField(default=timezone.localdate, verbose_name="发布日期"),
        ),
        migrations.AddConstraint(
            model_name="announcement",
            constraint=models.CheckConstraint(
                condition=models.Q(("deadline__gte", models.F("published_on"))),
                name="announcement_deadline_not_before_publication",
            ),
        ),
    ]
