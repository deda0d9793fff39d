"""The county administrator's tables (docs/policy.md §9.11): banks with aliases and the layouts'
column maps are edited in the admin, and a change reaches the next making; batches and
recoveries are read-only there."""

import datetime as dt

from django.urls import reverse

from payments.banks import banks_ensure
from payments.batches import batches_make
from payments.models import Bank, Batch
from people.models import Person


def _admin(cast):
    cast.county_admin.is_staff = cast.county_admin.is_superuser = True
    cast.county_admin.save()
    client = cast.client(cast.county_admin)
    client.force_login(cast.county_admin)
    return client


def test_an_alias_added_in_the_admin_reaches_the_next_batch(cast, holders, county) -> None:
    from .conftest import month_locked

    Person.objects.filter(pk=holders["戊"].pk).update(bank_name="齐鲁村镇银行")
    run = month_locked(county, dt.date(2022, 1, 1), cast)
    banks_ensure(county)
    admin = _admin(cast)
    assert admin.get(reverse("admin:payments_bank_changelist")).status_code == 200
    bank = Bank.objects.get(county=county, name="工商银行")
    page = admin.get(reverse("admin:payments_banklayout_change", args=[bank.layout_id]))
    assert page.status_code == 200 and "代发文件列" in page.content.decode()
    answer = admin.post(
        reverse("admin:payments_bank_change", args=[bank.pk]),
        {"county": county.pk, "name": "工商银行", "aliases": "工行\n齐鲁村镇银行", "layout": bank.layout_id},
    )
    assert answer.status_code == 302
    made = batches_make(run=run, actor=cast.finance, pay_date=dt.date(2022, 1, 31), bank=bank)
    assert [line.name for line in made[0].lines.all()] == ["戊"]


def test_batches_are_read_only_in_the_admin(cast, january) -> None:
    batch = batches_make(run=january, actor=cast.finance, pay_date=dt.date(2022, 1, 31))[0]
    admin = _admin(cast)
    assert admin.get(reverse("admin:payments_batch_changelist")).status_code == 200
    answer = admin.post(reverse("admin:payments_batch_delete", args=[batch.pk]), {"post": "yes"})
    assert answer.status_code == 403 and Batch.objects.filter(pk=batch.pk).exists()
