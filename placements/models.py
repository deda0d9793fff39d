"""The placement procedure (docs/policy.md §5) and life on the post (docs/policy.md §7).

An Application carries one person towards one post through the eight steps; every move is a
Transition row. From county approval until exit, rejection or withdrawal the application
`holds_post`: two partial unique constraints make the database itself refuse a second post for
one person and a second holder for one post, whatever races. A Placement starts at 安排上岗."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from people.models import Person
from posts.models import Announcement, Post
from townships.models import Line, Township, Village


class Step(models.TextChoices):
    APPLIED = "applied", "报名申请"
    REVIEWED = "reviewed", "民主评议通过"
    PUBLICIZED = "publicized", "审核公示"
    APPROVED = "approved", "区级审批通过"
    AGREED = "agreed", "协议签订"
    TRAINED = "trained", "岗前培训"
    PLACED = "placed", "安排上岗"
    EXITED = "exited", "已退出"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STEPS = [Step.APPLIED, Step.REVIEWED, Step.PUBLICIZED, Step.APPROVED, Step.AGREED, Step.TRAINED]
HOLDING_STEPS = [Step.APPROVED, Step.AGREED, Step.TRAINED, Step.PLACED]


class Application(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="applications", verbose_name="人员"
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="applications", verbose_name="岗位")
    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="招聘公告",
    )
    # Copied from the post: scoping and quota counts without joins.
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    year = models.PositiveSmallIntegerField("年度")
    step = models.CharField("环节", max_length=12, choices=Step.choices, default=Step.APPLIED)
    holds_post = models.BooleanField("占用岗位", default=False)
    applied_on = models.DateField("报名日期")
    approved_on = models.DateField("审批日期", null=True, blank=True)
    publicity = models.ForeignKey(
        "Publicity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name="公示",
    )
    migrated = models.BooleanField("新老衔接导入", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "岗位申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(holds_post=True),
                name="one_post_per_person",
                violation_error_message="此人已在另一个岗位上岗，同一人同时只能占一个岗位。",
            ),
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(holds_post=True),
                name="one_holder_per_post",
                violation_error_message="这个岗位已有在岗人员，一个岗位同时只能有一人。",
            ),
            models.UniqueConstraint(
                fields=["person", "post"],
                condition=Q(step__in=OPEN_STEPS),
                name="one_open_application_per_post",
                violation_error_message="此人对这个岗位已有一份正在办理的申请，不能重复申请。",
            ),
        ]
        indexes = [
            models.Index(fields=["township", "step"], name="application_queue_idx"),
            models.Index(fields=["township", "line", "year", "holds_post"], name="application_quota_idx"),
            # The queue's default order (newest first within each township): a page is an index range.
            models.Index(fields=["township", "created_at", "id"], name="application_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} → {self.post.code}"


class Transition(models.Model):
    """One move of an application: who, when, from, to, why, with what evidence."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_step = models.CharField("原环节", max_length=12, choices=Step.choices, blank=True)
    to_step = models.CharField("新环节", max_length=12, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    on = models.DateField("业务日期")
    note = models.CharField("说明", max_length=500, blank=True)
    evidence = models.CharField("材料", max_length=200, blank=True)
    migrated = models.BooleanField("导入的历史", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "环节记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_step_display()} → {self.get_to_step_display()}"


class DemocraticReview(models.Model):
    """民主评议: the village meeting that reviews applicants."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    meeting_date = models.DateField("评议日期")
    participants = models.TextField("参加人员")
    minutes = models.FileField("会议记录", upload_to="reviews/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议"
        ordering = ["-meeting_date"]

    def __str__(self) -> str:
        return f"{self.village.name} {self.meeting_date} 民主评议"


class ReviewResult(models.Model):
    review = models.ForeignKey(DemocraticReview, on_delete=models.CASCADE, related_name="results")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="review_results")
    passed = models.BooleanField("评议通过")
    note = models.CharField("评议意见", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议结果"

    def __str__(self) -> str:
        return f"{self.application} {'通过' if self.passed else '未通过'}"


class Publicity(models.Model):
    """审核公示: a list of applicants shown publicly for N working days."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField("公示开始")
    end_date = models.DateField("公示结束")
    working_days = models.PositiveSmallIntegerField("公示工作日")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.township.name} {self.start_date}至{self.end_date}公示"


class Objection(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    raised_on = models.DateField("反映日期")
    content = models.TextField("反映内容")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    upheld = models.BooleanField("反映属实", null=True, blank=True)
    resolution = models.TextField("处理结果", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["raised_on", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.raised_on} 异议"


class Agreement(models.Model):
    """协议: signed with the village/community; renewals are further rows."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="agreements")
    number = models.PositiveSmallIntegerField("第几份协议", default=1)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="+", verbose_name="用人单位")
    start_date = models.DateField("协议开始")
    end_date = models.DateField("协议结束")
    monthly_pay = models.DecimalField("月补贴标准（元）", max_digits=10, decimal_places=2)
    working_time = models.CharField("工作时间", max_length=60)
    duties = models.CharField("岗位职责", max_length=200)
    signed_on = models.DateField("签订日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "岗位协议"
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"],
                name="agreement_number_unique",
                violation_error_message="这份申请已有同一序号（第几份协议）的协议。",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="agreement_period",
                violation_error_message="协议结束日期不能早于协议开始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} 第{self.number}份协议"


class Training(models.Model):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="training")
    date = models.DateField("培训日期")
    hours = models.DecimalField("培训学时", max_digits=5, decimal_places=1)
    content = models.CharField("培训内容", max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "岗前培训"

    def __str__(self) -> str:
        return f"{self.application} {self.date} 岗前培训"


class ExitReason(models.TextChoices):
    OTHER_WORK = "other_work", "实现其他就业"
    AGE_LIMIT = "age_limit", "达到年龄上限或退休"
    AGREEMENT_ENDED = "agreement_ended", "协议期满"
    FAILED_ASSESSMENT = "failed_assessment", "考核不合格"
    VOLUNTARY = "voluntary", "本人自愿离岗"
    INELIGIBLE = "ineligible", "不再符合安置条件"
    DEATH = "death", "死亡"
    OTHER = "other", "其他"


class Referral(models.TextChoices):
    EMPLOYMENT = "employment", "转介公共就业服务"
    ASSISTANCE = "assistance", "转介社会救助"
    NONE = "none", "无需转介"


# The stored dates the expiry alerts compare (placements.selectors.ALERT_DATES), one index each.
ALERT_INDEXES = (("subsidy", "subsidy_until"), ("agreement", "agreement_until"), ("age", "age_alert_on"))


class Placement(models.Model):
    """安排上岗: on post from `on_post_date` (pay starts) until `exit_date` (inclusive)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="placement", verbose_name="申请"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="placements", verbose_name="人员"
    )
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="placements", verbose_name="岗位")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    on_post_date = models.DateField("上岗日期")
    prior_months = models.PositiveSmallIntegerField("原在岗月数（计入补贴期限）", default=0)
    first_approved_on = models.DateField("首次审批日期")
    extended_until = models.DateField("延长至", null=True, blank=True)
    extension_document = models.CharField("延长批准文件", max_length=120, blank=True)
    exit_date = models.DateField("离岗日期", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=20, choices=ExitReason.choices, blank=True)
    exit_note = models.CharField("退出说明", max_length=300, blank=True)
    referral = models.CharField("后续转介", max_length=12, choices=Referral.choices, blank=True)
    referral_note = models.CharField("转介说明", max_length=300, blank=True)
    migrated = models.BooleanField("新老衔接导入", default=False)
    legacy_terms = models.BooleanField("按原协议待遇（不符合新规定，至原协议期满）", default=False)
    # A legacy holder's old terms (docs/policy.md §7.7, §8.12), recorded by the 新老衔接 import: paid this
    # monthly amount (booked to the district, like other existing channels) until the old
    # agreement ends, instead of the policy in force and the 36 months. Without an amount (holders
    # migrated before it was asked for) the policy in force applies.
    legacy_pay = models.DecimalField(
        "原协议月补贴（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    legacy_until = models.DateField("原协议期满", null=True, blank=True)
    # The last paid day of the subsidy period (docs/policy.md §7.1), stored: computed in one place
    # (placements.terms.subsidy_until_of) from the county's limit, the months the person used
    # before (merged months and every earlier placement), the extension and the old terms, and
    # refreshed (terms.stored_terms_refresh) by every write of those facts. Readers (payroll in
    # both its paths, alerts, renewals, reports) read it and never derive it again.
    subsidy_until = models.DateField("补贴期限至", null=True, blank=True)
    # What the expiry alerts compare with the horizon, stored beside subsidy_until by the same
    # function (terms.stored_terms_refresh) so that each kind of alert is an index range: the end
    # of the application's last agreement (highest number), and the 31st of December of the year
    # the holder reaches the rural age limit (rural) or statutory retirement (urban), the year
    # only because beside a masked ID number the day would give the birth date back.
    agreement_until = models.DateField("协议期满", null=True, blank=True)
    age_alert_on = models.DateField("年龄提醒日", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "在岗人员"
        ordering = ["township", "on_post_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(exit_date__isnull=True),
                name="one_active_placement_per_person",
                violation_error_message="此人还有一段尚未离岗的在岗记录，须先办理离岗才能再次上岗。",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=models.F("on_post_date")),
                name="placement_exit_after_start",
                violation_error_message="离岗日期不能早于上岗日期。",
            ),
            models.CheckConstraint(
                condition=Q(legacy_pay__isnull=True) | Q(legacy_terms=True, legacy_until__isnull=False),
                name="placement_legacy_pay_with_its_terms",
                violation_error_message="填写原协议月补贴时，须同时勾选“按原协议待遇”并填写原协议期满日期。",
            ),
        ]
        indexes = [
            models.Index(fields=["township", "exit_date"], name="placement_active_idx"),
            # The 在岗人员 list's default order: a page is an index range. It also carries what the
            # month's payroll reads of each placement (subsidies.payroll.facts), so that a township's
            # placements come from the index alone instead of pages spread over the whole table.
            models.Index(
                fields=["township", "on_post_date", "id"],
                include=["line", "exit_date", "subsidy_until", "person", "legacy_pay"],
                name="placement_start_idx",
            ),
            # The expiry alerts of each kind (placements.selectors.Alerts): the active holders of a
            # township whose date falls by the horizon, soonest first, from the index alone.
            *(
                models.Index(
                    fields=["township", field, "id"],
                    include=["line"],  # the age and retirement alerts' line: counted from the index
                    condition=Q(exit_date__isnull=True),
                    name=f"placement_alert_{kind}_idx",
                )
                for kind, field in ALERT_INDEXES
            ),
            # The same for several townships (a county's alert page): the soonest first across
            # them, each township's holders taken from the included column.
            *(
                models.Index(
                    fields=[field, "id"],
                    include=["township", "line"],
                    condition=Q(exit_date__isnull=True),
                    name=f"placement_due_{kind}_idx",
                )
                for kind, field in ALERT_INDEXES
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.post.code}"


class GroupTally(models.Model):
    """How many holders are on post in a township, by line and by the group they claim (a person
    claiming two groups counts in both): the landing pages' chart, which would otherwise join a
    county's 120,000 placements to their claims on every first visit. Stored per township by one
    function (placements.terms.group_tally_refresh), which every write of a placement or of a
    holder's claims calls through stored_terms_refresh; rows with no holders are not kept."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="+", verbose_name="乡镇")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    group = models.CharField("人员类别", max_length=20)
    holders = models.PositiveIntegerField("在岗人数")

    class Meta:
        verbose_name = verbose_name_plural = "在岗人员类别统计"
        constraints = [
            models.UniqueConstraint(
                fields=["township", "line", "group"],
                name="group_tally_unique",
                violation_error_message="同一乡镇、城乡和人员类别只有一行统计。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.get_line_display()} {self.group}：{self.holders}人"


# ---- Accident insurance (docs/policy.md §7.9) and follow-up after exit (docs/policy.md §7.10) ----


class InsurancePolicy(models.Model):
    """意外伤害商业保险: a county's policy for its rural holders, covering the people on the roster
    of its start date (placements.insurance). Nobody is covered twice for the same days: the
    service refuses an overlap, naming the policy that already covers them."""

    county = models.ForeignKey(
        "townships.County", on_delete=models.PROTECT, related_name="+", verbose_name="区县"
    )
    insurer = models.CharField("保险公司", max_length=100)
    number = models.CharField("保单号", max_length=60)
    start_date = models.DateField("保险期间起")
    end_date = models.DateField("保险期间止")
    premium = models.DecimalField("每人保费（元）", max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意外伤害保险保单"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "insurer", "number"],
                name="insurance_policy_number_unique",
                violation_error_message="该保险公司的这个保单号已经登记过。",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="insurance_policy_period",
                violation_error_message="保险期间止不能早于保险期间起。",
            ),
            models.CheckConstraint(
                condition=Q(premium__gt=0),
                name="insurance_policy_premium_positive",
                violation_error_message="每人保费须大于0。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.number}（{self.start_date}至{self.end_date}）"


class InsuredPerson(models.Model):
    """One person covered by a policy, for the policy's period (copied here so that the overlap
    check and "covered on a day" are one index range on the person)."""

    policy = models.ForeignKey(
        InsurancePolicy, on_delete=models.CASCADE, related_name="covered", verbose_name="保单"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="+", verbose_name="在岗记录"
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    start_date = models.DateField("保障起")
    end_date = models.DateField("保障止")

    class Meta:
        verbose_name = verbose_name_plural = "参保人员"
        ordering = ["policy", "township", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "person"],
                name="insured_once_per_policy",
                violation_error_message="此人已在这份保单的参保名单中。",
            ),
        ]
        indexes = [
            # the overlap check and the cover of an accident: a person's covers by their dates
            models.Index(fields=["person", "start_date"], name="insured_person_dates_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.policy}"


class ClaimState(models.TextChoices):
    NONE = "none", "未报案"
    REPORTED = "reported", "已报案"
    SUBMITTED = "submitted", "材料已提交"
    PAID = "paid", "已赔付"
    REFUSED = "refused", "拒赔"


class Accident(models.Model):
    """An accident of a holder while on post, recorded with the village, and the insurer's claim
    through its steps (ClaimStep rows, placements.insurance.claim_move)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="accidents", verbose_name="在岗记录"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    occurred_on = models.DateField("事故日期")
    description = models.TextField("事故经过")
    # The cover on the accident's date; None: not covered that day (recorded all the same).
    cover = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承保保单",
    )
    state = models.CharField("理赔状态", max_length=12, choices=ClaimState.choices, default=ClaimState.NONE)
    amount = models.DecimalField("赔付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意外事故"
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="accident_amount_positive",
                violation_error_message="赔付金额须大于0。",
            ),
        ]
        indexes = [models.Index(fields=["township", "occurred_on"], name="accident_township_idx")]

    def __str__(self) -> str:
        return f"{self.person.name} {self.occurred_on} 意外事故"


class ClaimStep(models.Model):
    """One step of a claim: who, when, from, to, with the amount paid or the reason refused."""

    accident = models.ForeignKey(
        Accident, on_delete=models.CASCADE, related_name="steps", verbose_name="事故"
    )
    from_state = models.CharField("原状态", max_length=12, choices=ClaimState.choices)
    to_state = models.CharField("新状态", max_length=12, choices=ClaimState.choices)
    on = models.DateField("日期")
    amount = models.DecimalField("赔付金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "理赔环节"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class ReferralKind(models.TextChoices):
    EMPLOYMENT = "employment", "就业帮扶"
    STARTUP = "startup", "创业扶持"
    ASSISTANCE = "assistance", "社会救助"


class FollowUpService(models.TextChoices):
    TRAINING = "training", "职业技能培训"
    JOB_INTRODUCTION = "job_introduction", "职业介绍"
    STARTUP_TRAINING = "startup_training", "创业培训"
    STARTUP_LOAN = "startup_loan", "创业担保贷款贴息"
    ASSISTANCE = "assistance", "社会救助"
    VISIT = "visit", "走访了解"


class FollowUpOutcome(models.TextChoices):
    EMPLOYED = "employed", "已就业"
    SELF_EMPLOYED = "self_employed", "自主创业"
    ASSISTED = "assisted", "纳入救助"
    DECLINED = "declined", "本人放弃"
    ONGOING = "ongoing", "跟踪中"


class ExitReferral(models.Model):
    """A leaver referred to employment help, 创业 support or social assistance, from the exit on."""

    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="referrals", verbose_name="在岗记录"
    )
    kind = models.CharField("转介类型", max_length=12, choices=ReferralKind.choices)
    referred_on = models.DateField("转介日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "退出后转介"
        ordering = ["placement", "referred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind"],
                name="one_referral_per_kind",
                violation_error_message="此人已有同一类型的转介。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement} {self.get_kind_display()}"


class FollowUp(models.Model):
    """One follow-up of a referral: the date, the service given and the outcome so far."""

    referral = models.ForeignKey(
        ExitReferral, on_delete=models.CASCADE, related_name="entries", verbose_name="转介"
    )
    on = models.DateField("跟踪日期")
    service = models.CharField("提供服务", max_length=20, choices=FollowUpService.choices)
    outcome = models.CharField("跟踪结果", max_length=16, choices=FollowUpOutcome.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "跟踪记录"
        ordering = ["referral", "on", "id"]

    def __str__(self) -> str:
        return f"{self.referral} {self.on} {self.get_outcome_display()}"


class FollowUpSetting(models.Model):
    """The county setting 退出后跟踪期限（天）: a referred leaver without a follow-up entry this many
    days after the exit is listed for HR (docs/policy.md §7.10, §15). No row: the default."""

    DEFAULT_DAYS = 30

    county = models.OneToOneField(
        "townships.County", on_delete=models.CASCADE, related_name="+", verbose_name="区县"
    )
    due_days = models.PositiveSmallIntegerField("退出后跟踪期限（天）", default=DEFAULT_DAYS)

    class Meta:
        verbose_name = verbose_name_plural = "退出后跟踪设置"

    def __str__(self) -> str:
        return f"{self.county} 退出后{self.due_days}天内跟踪"
