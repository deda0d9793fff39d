from django.db import migrations


class Migration(migrations.Migration):
    """The run's progress, heartbeat and error now live on its job (0016 copied them)."""

    dependencies = [
        ("subsidies", "0016_run_progress_on_its_job"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='payrollrun',
            name='error',
        ),
        migrations.RemoveField(
            model_name='payrollrun',
            name='heartbeat_at',
        ),
        migrations.RemoveField(
            model_name='payrollrun',
            name='progress_done',
        ),
        migrations.RemoveField(
            model_name='payrollrun',
            name='progress_total',
        ),
    ]
