"""Urban posts opened before post_create took the working time of the post's line carry the rural
text (the column's default, 「每天工作2小时，每月20天」): they are full-time (posts.models.WORKING_TIME)."""

from django.db import migrations

RURAL, URBAN = "每天工作2小时，每月20天", "全日制，按用人单位作息时间"


def urban_full_time(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    Post.objects.filter(line="urban", working_time=RURAL).update(working_time=URBAN)


class Migration(migrations.Migration):
    dependencies = [("posts", "0004_constraint_messages_in_chinese")]

    operations = [migrations.RunPython(urban_full_time, migrations.RunPython.noop)]
