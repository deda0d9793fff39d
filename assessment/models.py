"""Assessment (绩效考核) and the performance bonus (绩效奖励), docs/policy.md §8.14, §9.10.

A county's dated schemes (parts and weights, period, pass mark, what failing does to pay, after how
many failures an exit is proposed); per township and period a sheet of scores (one row per holder
on post), published by the township and then fixed unless reopened with a reason; the county's
dated bonus rules, and per bonus period a round: HR proposes the award list, finance approves it,
and the first payroll computation started after approval pays it (as 绩效奖励 lines).

The app sits between placements and subsidies: the payroll reads published results and approved
awards (assessment.selectors); nothing here imports the payroll."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from placements.models import Placement
from townships.models import County, Township

# scores and weights: 0.0 … 100.0 (max_digits=5, decimal_places=1)


class Period(models.TextChoices):
    MONTH = "month", "按月"
    QUARTER = "quarter", "按季度"
    YEAR = "year", "按年"


class Scheme(models.Model):
    """A county's assessment from a date (docs/policy.md §8.14): three parts whose weights (the most
    points each gives) add up to 100, a weight of 0 leaving the part out; a total below the pass
    mark withholds `fail_share` of the pay of the period's last month (0: none); `exit_after`
    consecutive failures propose an exit for 考核不合格 (0: never). Picked as the pay policies are
    (payroll.policies_in_force's dated rows)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    name = models.CharField("名称", max_length=80)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    period = models.CharField(
        "考核周期",
        max_length=10,
        choices=[(Period.MONTH, "按月"), (Period.QUARTER, "按季度")],
        default=Period.MONTH,
    )
    village_weight = models.DecimalField(
        "村（社区）评分（分值）", default=Decimal(30), max_digits=5, decimal_places=1
    )
    township_weight = models.DecimalField(
        "乡镇（街道）评分（分值）", default=Decimal(50), max_digits=5, decimal_places=1
    )
    appraisal_weight = models.DecimalField(
        "民主评议（分值）", default=Decimal(20), max_digits=5, decimal_places=1
    )
    pass_mark = models.DecimalField("合格分数线", default=Decimal(60), max_digits=5, decimal_places=1)
    fail_share = models.DecimalField(
        "不合格扣发比例（如0.30，0为不扣发）", max_digits=4, decimal_places=2, default=Decimal("0.00")
    )
    exit_after = models.PositiveSmallIntegerField("连续不合格几次提出退出（0为不提出）", default=0)
    document = models.CharField("文件", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "绩效考核办法"
        ordering = ["county", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "valid_from"],
                name="assessment_scheme_once_per_start",
                violation_error_message="本区县这一起始日期已有绩效考核办法，请修改原有的那一条。",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="assessment_scheme_period",
                violation_error_message="截止日期不能早于起始日期。",
            ),
            models.CheckConstraint(
                condition=Q(village_weight__gte=0, township_weight__gte=0, appraisal_weight__gte=0)
                & Q(
                    village_weight__lte=100.0001 - F("township_weight") - F("appraisal_weight"),
                    village_weight__gte=99.9999 - F("township_weight") - F("appraisal_weight"),
                ),
                name="assessment_scheme_weights",
                violation_error_message="各部分分值不能为负数，合计须为100分。",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0, pass_mark__lte=100, fail_share__gte=0, fail_share__lte=1),
                name="assessment_scheme_marks",
                violation_error_message="合格分数线应在0至100之间，扣发比例应在0至1之间（如30%填0.30）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}{self.name}（{self.valid_from}起）"

    @property
    def parts(self) -> list[tuple[str, str, Decimal]]:
        """The parts in use: (field, label, weight)."""
        every = [
            ("village", "村（社区）评分", self.village_weight),
            ("township", "乡镇（街道）评分", self.township_weight),
            ("appraisal", "民主评议", self.appraisal_weight),
        ]
        return [part for part in every if part[2] > 0]


class Sheet(models.Model):
    """One township's scores of one period (考核表), 录入中 → 已公示; a published sheet is fixed
    until a clerk of the township or HR reopens it with a reason (a history row each move)."""

    class State(models.TextChoices):
        OPEN = "open", "录入中"
        PUBLISHED = "published", "已公示"

    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="sheets", verbose_name="考核办法"
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇（街道）"
    )
    first = models.DateField("考核期首月（1日）")
    last = models.DateField("考核期末月（1日）")  # its month's pay follows a failing score
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "考核表"
        ordering = ["township", "-first"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "first"],
                name="assessment_sheet_once_per_period",
                violation_error_message="本乡镇（街道）这一考核期已有考核表。",
            ),
        ]
        indexes = [
            # the payroll's published results of some months (assessment.selectors.verdicts)
            models.Index(fields=["last", "state"], name="assessment_sheet_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.township.name} {period_label(self.first, self.last)}考核"


def period_label(first: dt.date, last: dt.date) -> str:
    if first == last:
        return f"{first:%Y年%m月}"
    return f"{first:%Y年%m月}至{last:%Y年%m月}"


class SheetEvent(models.Model):
    """A move of a sheet: who, when, from, to, why."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="events", verbose_name="考核表")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="办理人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    from_state = models.CharField("原状态", max_length=10, choices=Sheet.State.choices)
    to_state = models.CharField("新状态", max_length=10, choices=Sheet.State.choices)
    note = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核表流转记录"
        ordering = ["sheet", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_state_display()} → {self.get_to_state_display()}"


class Score(models.Model):
    """A holder's scores of a sheet: a part not yet entered is empty; the total is the sum of the
    parts in use, set by the service once all are entered."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="+")
    village = models.DecimalField("村（社区）评分", null=True, blank=True, max_digits=5, decimal_places=1)
    township = models.DecimalField("乡镇（街道）评分", null=True, blank=True, max_digits=5, decimal_places=1)
    appraisal = models.DecimalField("民主评议", null=True, blank=True, max_digits=5, decimal_places=1)
    total = models.DecimalField("总分", null=True, blank=True, max_digits=5, decimal_places=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核评分"
        ordering = ["sheet", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "placement"],
                name="assessment_score_once",
                violation_error_message="同一考核期每名在岗人员只有一条评分。",
            ),
            models.CheckConstraint(
                condition=(Q(village__isnull=True) | Q(village__gte=0))
                & (Q(township__isnull=True) | Q(township__gte=0))
                & (Q(appraisal__isnull=True) | Q(appraisal__gte=0)),
                name="assessment_score_not_negative",
                violation_error_message="评分不能为负数。",
            ),
        ]
        indexes = [
            # a holder's published results in order (exit proposals, bonus averages)
            models.Index(fields=["placement", "sheet"], name="assessment_score_holder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.total if self.total is not None else '未完成'}"


class BonusRule(models.Model):
    """A county's performance bonus from a date (docs/policy.md §9.10): per year or quarter, at most
    `share` of the holders assessed in the county, by grade (a tier's minimum average score) or by
    rank (a tier's last rank); all of it booked to the district (绩效奖励由区财政统一列支)."""

    class Basis(models.TextChoices):
        GRADE = "grade", "按等次（平均分）"
        RANK = "rank", "按名次"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    period = models.CharField(
        "奖励周期",
        max_length=10,
        choices=[(Period.YEAR, "按年"), (Period.QUARTER, "按季度")],
        default=Period.YEAR,
    )
    basis = models.CharField("奖励依据", max_length=10, choices=Basis.choices, default=Basis.GRADE)
    share = models.DecimalField(
        "获奖人数上限（占参加考核人数的比例，如0.20）", max_digits=4, decimal_places=2
    )
    document = models.CharField("文件", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "绩效奖励办法"
        ordering = ["county", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "valid_from"],
                name="bonus_rule_once_per_start",
                violation_error_message="本区县这一起始日期已有绩效奖励办法。",
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0, share__lte=1),
                name="bonus_rule_share",
                violation_error_message="获奖人数比例应大于0且不超过1（如20%填0.20）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}绩效奖励办法（{self.valid_from}起）"


class BonusTier(models.Model):
    """A grade or a band of ranks and its amount: by grade, holders whose average is at least
    `min_score`; by rank, holders ranked up to `up_to_rank` (after the tiers above)."""

    rule = models.ForeignKey(BonusRule, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField("等次", max_length=20)
    min_score = models.DecimalField(
        "最低平均分（按等次）", null=True, blank=True, max_digits=5, decimal_places=1
    )
    up_to_rank = models.PositiveIntegerField("名次至（按名次）", null=True, blank=True)
    amount = models.DecimalField("奖励金额（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "奖励等次"
        ordering = ["rule", "-min_score", "up_to_rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="bonus_tier_amount",
                violation_error_message="奖励金额须大于0。",
            ),
            models.CheckConstraint(
                condition=Q(min_score__isnull=False) | Q(up_to_rank__isnull=False),
                name="bonus_tier_bound",
                violation_error_message="请填写最低平均分（按等次）或名次至（按名次）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}元"


class BonusRound(models.Model):
    """The awards of one bonus period of a county: 待审批 (proposed by HR) → 已审批 (by a finance
    user who is not the proposer) or 已退回; paid by the first payroll run started after approval
    (`paid_run`, claimed in payroll.start)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已审批"
        RETURNED = "returned", "已退回"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    rule = models.ForeignKey(BonusRule, on_delete=models.PROTECT, related_name="rounds")
    first = models.DateField("奖励期首月")
    last = models.DateField("奖励期末月")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("退回原因", max_length=300, blank=True)
    paid_run = models.ForeignKey(
        "subsidies.PayrollRun", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "绩效奖励名单"
        ordering = ["county", "-first", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "first"],
                condition=~Q(state="returned"),
                name="bonus_round_once_per_period",
                violation_error_message="本区县这一奖励期已有奖励名单。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}{period_label(self.first, self.last)}绩效奖励"


class BonusAward(models.Model):
    round = models.ForeignKey(BonusRound, on_delete=models.CASCADE, related_name="awards")
    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="+")
    average = models.DecimalField("平均分", max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField("名次")
    tier = models.CharField("等次", max_length=20)
    amount = models.DecimalField("奖励金额", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "绩效奖励明细"
        ordering = ["round", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "placement"],
                name="bonus_award_once",
                violation_error_message="这名在岗人员已在这一轮绩效奖励名单中。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.tier} {self.amount}元"
