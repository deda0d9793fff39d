"""Who may renew, extend or exit a placement (placements.terms.ACTION_ROLES, docs/policy.md §7.6) is
checked by the services themselves, so a command, an import or the admin obeys it as the pages
do: the roles, and only in the actor's own township or county."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from placements import terms
from tests import factories

D = dt.date


@pytest.fixture
def holder(cast):
    return factories.placement(on_post=D(2024, 1, 1), agreement_until=D(2024, 12, 1), name="续签人")


def test_a_clerk_may_not_extend_a_subsidy_period(cast, holder) -> None:
    with pytest.raises(ValidationError, match="「延期」须由人社局工作人员办理"):
        terms.extension_grant(
            placement=holder, until=D(2027, 6, 30), document="东人社〔2024〕1号", actor=cast.clerk
        )
    holder.refresh_from_db()
    assert holder.extended_until is None


@pytest.mark.parametrize("who", ["auditor", "finance"])
def test_a_reader_may_not_renew(cast, holder, who) -> None:
    with pytest.raises(ValidationError, match="「续签」须由乡镇经办人、人社局工作人员办理"):
        terms.agreement_renew(placement=holder, signed_on=D(2024, 11, 20), actor=getattr(cast, who))
    assert holder.application.agreements.count() == 1


def test_a_clerk_of_another_township_may_not_renew(cast, holder) -> None:
    with pytest.raises(ValidationError, match="无权办理其他乡镇"):
        terms.agreement_renew(placement=holder, signed_on=D(2024, 11, 20), actor=cast.other_clerk)
    assert holder.application.agreements.count() == 1


def test_the_clerk_of_the_township_renews(cast, holder) -> None:
    made = terms.agreement_renew(placement=holder, signed_on=D(2024, 11, 20), actor=cast.clerk)
    assert made.start_date == D(2024, 12, 2)


def test_the_exit_follows_the_procedure_map() -> None:
    from placements.models import Step
    from placements.procedure import MOVES

    assert terms.ACTION_ROLES["exit"] == MOVES[(Step.PLACED, Step.EXITED)].roles
