"""Checks before computing: findings listed on the run; blocking ones stop approval until
finance resolves them with a note."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from subsidies import payroll
from subsidies.checks import finding_resolve
from subsidies.models import Finding, PayrollRun
from tests import factories
from townships.models import County

MARCH = dt.date(2022, 3, 1)


def compute() -> PayrollRun:
    return payroll.compute_run(payroll.run_for(County.objects.get(code="371502"), MARCH))


def test_findings_are_listed_and_blocking_ones_stop_approval(cast) -> None:
    factories.placement("371502101", name="无账号", bank_account="")
    dead = factories.placement("371502101", name="已故人")
    dead.person.on_death_roster = True
    dead.person.save()
    factories.placement("371502101", name="高龄人", birth="19550101")
    run = compute()
    kinds = sorted(run.findings.values_list("kind", "blocking"))
    assert kinds == [("age_limit", False), ("death", True), ("no_bank", True)]
    with pytest.raises(ValidationError, match="还有2个须处理的核算前检查问题"):
        payroll.approve(run, cast.finance)
    for finding in run.findings.filter(blocking=True):
        finding_resolve(finding=finding, resolution="已核实，本月暂停发放", actor=cast.finance)
    assert payroll.approve(run, cast.finance).state == "approved"


def test_recomputing_replaces_the_findings(cast) -> None:
    placement = factories.placement("371502101", name="无账号", bank_account="")
    assert compute().findings.count() == 1
    type(placement.person).objects.filter(pk=placement.person_id).update(bank_account="6228480012345678901")
    assert compute().findings.count() == 0
    assert not Finding.objects.exists()


def test_a_resolved_finding_stays_resolved_when_the_month_is_recomputed(cast) -> None:
    factories.placement("371502101", name="无账号", bank_account="")
    factories.placement("371502101", name="已死亡").person.__class__.objects.filter(name="已死亡").update(
        on_death_roster=True
    )
    run = compute()
    no_bank = run.findings.get(kind=Finding.Kind.NO_BANK)
    finding_resolve(finding=no_bank, resolution="已电话核实，下月补录账号", actor=cast.finance)
    run = compute()
    kept = run.findings.get(kind=Finding.Kind.NO_BANK)
    assert (kept.resolution, kept.resolved_by) == ("已电话核实，下月补录账号", cast.finance)
    assert run.findings.get(kind=Finding.Kind.DEATH).resolved_at is None


def test_the_run_page_lists_findings(cast) -> None:
    factories.placement("371502101", name="无账号", bank_account="")
    run = compute()
    page = cast.client(cast.finance).get(reverse("subsidies:run-detail", args=[run.pk])).content.decode()
    assert "沙镇镇无账号没有银行账号，无法发放" in page


def test_suspects_read_by_id_in_chunks_find_the_same(cast, monkeypatch) -> None:
    """The suspects are found with the person's conditions as EXISTS by key, then read by id in
    chunks (docs/performance.md P15): with one id a chunk, every kind is still found, an urban
    holder past retirement and a rural one past the flag age included, and nobody else."""
    monkeypatch.setattr("subsidies.checks.CHUNK", 1)
    factories.placement("371502101", name="无账号", bank_account="")
    dead = factories.placement("371502101", name="已故人")
    type(dead.person).objects.filter(pk=dead.person_id).update(on_death_roster=True)
    factories.placement("371502101", name="高龄人", birth="19550101")
    factories.placement("371502101", name="退休人", line="urban", birth="19600101")
    factories.placement("371502101", name="年轻城镇", line="urban", birth="19900101")
    factories.placement("371502101", name="正常人")
    run = compute()
    found = sorted((kind, message[-12:]) for kind, message in run.findings.values_list("kind", "message"))
    kinds = [kind for kind, _ in found]
    assert kinds == ["age_limit", "death", "no_bank", "retired"], found
    messages = "".join(run.findings.values_list("message", flat=True))
    assert "正常人" not in messages and "年轻城镇" not in messages
