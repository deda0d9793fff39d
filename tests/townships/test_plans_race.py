"""An adjustment lowering a quota and an approval taking a place of it at the same moment, on
PostgreSQL with real concurrent transactions (docs/policy.md §2.6): exactly one of them goes
through, so the people approved never exceed the quota in force."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from placements import services
from placements.models import Application
from tests.placements.conftest import APPROVED_ON, recruiting  # noqa: F401
from tests.placements.test_concurrency import POSTGRES, ready
from townships import plans
from townships.models import Plan
from townships.services import PlanRow


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL row locks and concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_an_adjustment_and_an_approval_at_once_never_both_pass(recruiting) -> None:  # noqa: F811
    recruiting.to_approved(1)
    (second,) = recruiting.apply(1)
    ready(recruiting, [second])
    plan = Plan.objects.get(county__code="371502", year=2022)
    version = plans.latest_version(plan)
    assert version is not None
    rows = [
        PlanRow(q.township.code, q.urban, 1 if q.township.code == "371502101" else q.rural)
        for q in version.quotas.select_related("township")
    ]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve() -> None:
        try:
            barrier.wait()
            services.approve_one(application=second, actor=recruiting.cast.hr, on=APPROVED_ON)
            outcomes["approval"] = "passed"
        except ValidationError as exc:
            outcomes["approval"] = exc.messages[0]
        finally:
            connection.close()

    def adjust() -> None:
        try:
            barrier.wait()
            plans.plan_adjust(
                plan=plan,
                effective_from=dt.date(2022, 3, 1),
                document="东昌人社字〔2022〕9号",
                reason="沙镇镇乡村岗位减少",
                declared_urban=sum(r.urban for r in rows),
                declared_rural=sum(r.rural for r in rows),
                rows=rows,
                actor=None,
            )
            outcomes["adjustment"] = "passed"
        except ValidationError as exc:
            outcomes["adjustment"] = exc.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=approve), threading.Thread(target=adjust)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["adjustment", "approval"]
    assert list(outcomes.values()).count("passed") == 1, outcomes
    if outcomes["approval"] == "passed":
        assert outcomes["adjustment"] == "沙镇镇乡村岗位调整为1个，低于2022年已审批上岗的2人"
    else:
        assert outcomes["approval"].startswith("沙镇镇2022年乡村岗位计划1个已全部审批")
    holders = Application.objects.filter(holds_post=True, township__code="371502101").count()
    assert holders == (2 if outcomes["approval"] == "passed" else 1)
