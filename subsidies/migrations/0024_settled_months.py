import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0023_month_aggregates"),
    ]

    operations = [
        migrations.CreateModel(
            name="SettledMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("township_id", models.IntegerField(verbose_name="乡镇")),
                ("month", models.DateField(verbose_name="月份（当月1日）")),
                ("basis", models.JSONField(default=list, verbose_name="已锁定核算")),
                ("terms", models.BinaryField(verbose_name="标准摘要")),
                ("summary", models.BinaryField(verbose_name="摘要")),
                ("digests", models.BinaryField(verbose_name="逐人摘要")),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="subsidies.payrollrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "补贴核算已结算月份",
                "verbose_name_plural": "补贴核算已结算月份",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "township_id", "month"),
                        name="settled_month_once",
                        violation_error_message="同一核算、乡镇和月份只能有一条结算记录。",
                    )
                ],
            },
        ),
    ]
