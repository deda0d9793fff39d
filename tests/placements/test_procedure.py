"""The eight steps: allowed moves, roles, maker ≠ checker, history, publicity on the working-day
calendar, approval against quota and eligibility, agreement, training, placement."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from common.workdays import working_days_from
from placements import services
from placements.models import Application, Placement, Step
from placements.procedure import move
from posts.models import Post
from tests import factories
from townships.models import CalendarDay, CalendarYear, Quota

D = dt.date


def steps(application: Application) -> list[tuple[str, str]]:
    return list(application.history.values_list("from_step", "to_step"))


def test_a_whole_round_records_every_move_with_who_and_why(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    placement = recruiting.to_placed(application)
    application.refresh_from_db()
    assert application.step == Step.PLACED and application.holds_post
    assert steps(application) == [
        ("", "applied"),
        ("applied", "reviewed"),
        ("reviewed", "publicized"),
        ("publicized", "approved"),
        ("approved", "agreed"),
        ("agreed", "trained"),
        ("trained", "placed"),
    ]
    actors = [t.actor.username for t in application.history.all()]
    assert actors == ["clerk", "clerk_b", "clerk", "hr", "clerk", "clerk", "clerk"]
    assert placement.on_post_date == D(2022, 4, 1)
    assert Post.objects.get(pk=application.post_id).status == Post.Status.FILLED
    agreement = application.agreements.get()
    assert (agreement.start_date, agreement.end_date) == (D(2022, 4, 1), D(2023, 3, 31))
    assert agreement.village == application.post.village


def test_nothing_skips_a_step(recruiting) -> None:
    (application,) = recruiting.apply(1)
    with pytest.raises(ValidationError) as refused:
        services.approve_one(application=application, actor=recruiting.cast.hr, on=D(2022, 3, 20))
    assert (
        "不能从「报名申请」直接进入「区级审批通过」，下一环节应为「民主评议通过」"
        in refused.value.messages[0]
    )
    application.refresh_from_db()
    assert application.step == Step.APPLIED and not application.holds_post


def test_the_maker_of_a_step_never_approves_it(recruiting) -> None:
    (application,) = recruiting.apply(1)
    with pytest.raises(ValidationError, match="不能由您本人审核通过"):
        services.review_record(
            village=application.post.village,
            meeting_date=D(2022, 3, 3),
            participants="村民代表",
            minutes_name="",
            outcomes=[services.ReviewOutcome(application, True)],
            actor=recruiting.cast.clerk,
        )
    assert Application.objects.get(pk=application.pk).step == Step.APPLIED


def test_a_step_belongs_to_a_role(recruiting) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    application.refresh_from_db()
    with pytest.raises(ValidationError, match="须由乡镇经办人办理"):
        move(application, Step.PUBLICIZED, actor=recruiting.cast.hr, on=D(2022, 3, 7))
    with pytest.raises(ValidationError, match="其他乡镇"):
        move(application, Step.PUBLICIZED, actor=recruiting.cast.other_clerk, on=D(2022, 3, 7))


def test_rejection_and_withdrawal_need_a_reason_and_free_the_place(recruiting) -> None:
    first, second = recruiting.to_approved(2)
    with pytest.raises(ValidationError, match="必须填写原因"):
        services.application_close(
            application=first, to=Step.WITHDRAWN, reason=" ", actor=recruiting.cast.clerk, on=D(2022, 3, 16)
        )
    services.application_close(
        application=first,
        to=Step.WITHDRAWN,
        reason="本人放弃",
        actor=recruiting.cast.clerk,
        on=D(2022, 3, 16),
    )
    first.refresh_from_db()
    assert (first.step, first.holds_post) == (Step.WITHDRAWN, False)
    assert first.history.last().note == "本人放弃"


def test_applying_checks_eligibility_on_the_application_date(recruiting) -> None:
    young = factories.person("371502101", birth="20080101", name="少年")
    with pytest.raises(ValidationError) as refused:
        services.application_create(
            person=young,
            post=recruiting.posts[0],
            announcement=recruiting.announcement,
            actor=recruiting.cast.clerk,
            on=D(2022, 3, 1),
        )
    assert "未满16周岁" in refused.value.messages[0]
    late = factories.person("371502101", name="迟到")
    with pytest.raises(ValidationError, match="报名已于2022年03月10日截止"):
        services.application_create(
            person=late,
            post=recruiting.posts[0],
            announcement=recruiting.announcement,
            actor=recruiting.cast.clerk,
            on=D(2022, 3, 11),
        )


def test_approval_checks_eligibility_again_on_the_approval_date(recruiting) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    application.person.on_death_roster = True
    application.person.save()
    result = services.approve(applications=[application], actor=recruiting.cast.hr, on=D(2022, 3, 15))
    assert result.refused and "在死亡人员名单中" in result.refused[0][1]


def test_publicity_runs_five_working_days_on_the_holiday_calendar(recruiting) -> None:
    # 2022 Qingming: 4 and 5 April were holidays, Saturday 2 April a make-up working day.
    assert working_days_from(D(2022, 4, 1), 5) == (D(2022, 4, 1), D(2022, 4, 8))
    # 2024 Spring Festival: 10–17 February off, Sunday 18 February worked.
    assert working_days_from(D(2024, 2, 8), 5) == (D(2024, 2, 8), D(2024, 2, 20))
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    # typed as Saturday 5 March, it starts Monday 7 March (entered that day: no step is dated after today)
    services.publicity_start(
        applications=[application], start=D(2022, 3, 5), actor=recruiting.cast.clerk, entered_on=D(2022, 3, 7)
    )
    publicity = Application.objects.get(pk=application.pk).publicity
    assert publicity is not None  # publicized above
    assert (publicity.start_date, publicity.end_date, publicity.working_days) == (
        D(2022, 3, 7),
        D(2022, 3, 11),
        5,
    )


def test_a_year_no_calendar_covers_is_refused_until_the_table_has_it(db) -> None:
    from common.workdays import CalendarMissing

    with pytest.raises(CalendarMissing, match="2031年的工作日历尚未录入"):
        working_days_from(D(2031, 9, 29), 5)
    CalendarYear.objects.create(year=2031, document="国办发明电〔2030〕X号")
    for day in (D(2031, 10, 1), D(2031, 10, 2), D(2031, 10, 3)):
        CalendarDay.objects.create(date=day, is_workday=False, note="国庆节")
    CalendarDay.objects.create(date=D(2031, 10, 4), is_workday=True, note="调休上班")
    # Mon 29, Tue 30 Sep; 1–3 Oct off; Sat 4 Oct worked; Mon 6 Oct.
    assert working_days_from(D(2031, 9, 29), 5) == (D(2031, 9, 29), D(2031, 10, 7))


def test_approval_before_publicity_ends_or_with_open_objections_is_refused(recruiting) -> None:
    first, second = recruiting.apply(2)
    recruiting.review([first, second])
    recruiting.publicize([first, second])  # 7–11 March 2022
    early = services.approve(applications=[first], actor=recruiting.cast.hr, on=D(2022, 3, 11))
    assert (
        early.refused[0][1]
        == "申请人甲的公示期至2022年03月11日，公示期满后才能审批（审批日期为2022年03月11日）"
    )
    objection = services.objection_record(
        application=second, raised_on=D(2022, 3, 9), content="家中有人已在岗", actor=recruiting.cast.clerk
    )
    blocked = services.approve(applications=[second], actor=recruiting.cast.hr, on=D(2022, 3, 14))
    assert blocked.refused[0][1] == "申请人乙的公示异议尚未处理"
    services.objection_resolve(
        objection=objection, upheld=False, resolution="经核实不属实", actor=recruiting.cast.hr
    )
    done = services.approve(applications=[first, second], actor=recruiting.cast.hr, on=D(2022, 3, 14))
    assert len(done.approved) == 2 and not done.refused


def test_an_upheld_objection_rejects_the_application(recruiting) -> None:
    (application,) = recruiting.apply(1)
    recruiting.review([application])
    recruiting.publicize([application])
    objection = services.objection_record(
        application=Application.objects.get(pk=application.pk),
        raised_on=D(2022, 3, 9),
        content="不符合条件",
        actor=recruiting.cast.clerk,
    )
    for on, refusal in (
        (D(2022, 3, 8), "处理日期（2022-03-08）不能早于异议反映日期（2022-03-09）"),
        (D(2022, 3, 12), "处理日期（2022-03-12）不能晚于今天（2022-03-11）"),
    ):
        with pytest.raises(ValidationError, match=re.escape(refusal)):
            services.objection_resolve(
                objection=objection,
                upheld=True,
                resolution="x",
                actor=recruiting.cast.hr,
                on=on,
                today=D(2022, 3, 11),
            )
    assert Application.objects.get(pk=application.pk).step != Step.REJECTED
    services.objection_resolve(
        objection=objection,
        upheld=True,
        resolution="经核实属实",
        actor=recruiting.cast.hr,
        on=D(2022, 3, 10),
        today=D(2022, 3, 11),
    )
    assert Application.objects.get(pk=application.pk).step == Step.REJECTED
    assert application.history.get(to_step=Step.REJECTED).on == D(2022, 3, 10)  # its own date, not the clock


def test_hr_approves_a_list_and_the_quota_refuses_the_rest(recruiting) -> None:
    Quota.objects.filter(plan__year=2022, township=recruiting.township).update(rural=2)
    apps = recruiting.apply(3)
    recruiting.review(apps)
    recruiting.publicize(apps)
    result = services.approve(applications=apps, actor=recruiting.cast.hr, on=D(2022, 3, 14))
    assert [a.pk for a in result.approved] == [apps[0].pk, apps[1].pk]
    assert result.refused[0][1] == "沙镇镇2022年乡村岗位计划2个已全部审批，申请人丙未获审批"
    assert Application.objects.get(pk=apps[2].pk).step == Step.PUBLICIZED


def test_one_person_never_holds_two_posts(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    with pytest.raises(ValidationError, match="同一人只能占用一个公益性岗位"):
        services.application_create(
            person=application.person,
            post=recruiting.posts[1],
            announcement=recruiting.announcement,
            actor=recruiting.cast.clerk,
            on=D(2022, 3, 2),
        )


def test_placement_must_fall_inside_the_agreement(recruiting) -> None:
    (application,) = recruiting.to_approved(1)
    services.agreement_sign(
        application=application,
        start=D(2022, 4, 1),
        signed_on=D(2022, 3, 20),
        actor=recruiting.cast.clerk,
    )
    services.training_record(
        application=application,
        date=D(2022, 3, 25),
        hours=Decimal("4"),
        content="安全",
        actor=recruiting.cast.clerk,
    )
    with pytest.raises(
        ValidationError, match="上岗日期（2022年03月31日）须在协议期限（2022年04月01日至2023年03月31日）内"
    ):
        services.placement_start(
            application=application, on_post_date=D(2022, 3, 31), actor=recruiting.cast.clerk
        )
    assert not Placement.objects.exists()
