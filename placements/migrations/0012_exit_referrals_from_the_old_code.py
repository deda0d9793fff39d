"""The referral recorded at exit before referrals had rows (Placement.referral, one code and a
note) becomes an ExitReferral of that kind dated at the exit, so the old exits are followed up
like the new ones (docs/policy.md §7.10). The old fields stay as they were, readable."""

from django.db import migrations

KINDS = {"employment": "employment", "assistance": "assistance"}  # "none": nothing to follow


def forwards(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    ExitReferral = apps.get_model("placements", "ExitReferral")
    exited = Placement.objects.filter(exit_date__isnull=False, referral__in=list(KINDS)).values_list(
        "pk", "referral", "exit_date", "referral_note"
    )
    ExitReferral.objects.bulk_create(
        [
            ExitReferral(placement_id=pk, kind=KINDS[code], referred_on=exit_date, note=note)
            for pk, code, exit_date, note in exited.iterator(chunk_size=2000)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )


def backwards(apps, schema_editor):
    ExitReferral = apps.get_model("placements", "ExitReferral")
    ExitReferral.objects.filter(created_by__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("placements", "0011_insurance_and_followup")]
    operations = [migrations.RunPython(forwards, backwards)]
