"""Monthly subsidies (docs/policy.md §8, §9): dated pay policies and minimum wages, attendance, the
monthly payroll run of a county and its lines. Money is Decimal, yuan to the fen."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from placements.models import Placement
from townships.models import County, Line, Township, Village


class MinimumWage(models.Model):
    """The minimum wage in force in a county from a date (山东 class 1/2/3)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="minimum_wages", verbose_name="区县"
    )
    valid_from = models.DateField("施行日期")
    monthly = models.DecimalField("月最低工资（元）", max_digits=10, decimal_places=2)
    hourly = models.DecimalField("小时最低工资（元）", max_digits=10, decimal_places=2)
    wage_class = models.PositiveSmallIntegerField("档次", default=1)
    document = models.CharField("文件", max_length=120)

    class Meta:
        verbose_name = verbose_name_plural = "最低工资标准"
        ordering = ["county", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "valid_from"],
                name="minimum_wage_once_per_date",
                violation_error_message="本区县这一施行日期已有最低工资标准，请修改原有的那一条，不要重复录入。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county.name} {self.valid_from} 月{self.monthly}元"


class SubsidyPolicy(models.Model):
    """How a county pays a line in a period, and how each amount is split (docs/policy.md §8.1,
    §8.2, §8.3)."""

    class Basis(models.TextChoices):
        HOURLY = "hourly", "小时标准×每日小时×规定出勤天数"
        # docs/policy.md §8.2: the pay follows the minimum hourly wage in force each month
        MINIMUM_HOURLY = "minimum_hourly", "小时最低工资标准×每日小时×规定出勤天数（随最低工资调整）"
        MONTHLY = "monthly", "每月固定金额"
        ANNUAL = "annual", "每人每年固定金额"

    class Split(models.TextChoices):
        FIXED_PROVINCE = "fixed_province", "省级定额，其余按比例由市、区分担"
        PERCENTAGES = "percentages", "省、市按比例，其余由区承担"
        DISTRICT = "district", "按原渠道，由区承担"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="policies", verbose_name="区县")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    document = models.CharField("文件", max_length=200)
    basis = models.CharField("补贴标准方式", max_length=16, choices=Basis.choices)
    hourly_rate = models.DecimalField("小时标准（元）", max_digits=8, decimal_places=2, null=True, blank=True)
    hours_per_day = models.DecimalField("每日工作小时", max_digits=4, decimal_places=1, null=True, blank=True)
    monthly_amount = models.DecimalField(
        "月补贴（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    annual_amount = models.DecimalField(
        "年补贴（元/人）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    required_days = models.PositiveSmallIntegerField("每月规定出勤天数", default=20)
    split = models.CharField("资金分担方式", max_length=16, choices=Split.choices)
    province_annual = models.DecimalField(
        "省级定额（元/人·年）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    province_percent = models.DecimalField(
        "省级比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    city_percent = models.DecimalField(
        "市级比例（%，定额方式下为扣除省级后的比例）", max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = verbose_name_plural = "补贴标准与资金分担"
        ordering = ["county", "line", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "line", "valid_from"],
                name="policy_once_per_start",
                violation_error_message="本区县这一城乡类别在这一起始日期已有补贴标准，请修改原有的那一条，不要重复录入。",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="policy_period",
                violation_error_message="截止日期不能早于起始日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}{self.get_line_display()}补贴（{self.valid_from}起，{self.document}）"

    def clean(self) -> None:
        from .services import policy_check  # the rule lives in the services

        policy_check(self)


class AttendanceSheet(models.Model):
    """A village's month of attendance (docs/policy.md §9.2): the village records it (its records wait
    unconfirmed), submits it, and a clerk of the township confirms it (then its records count)
    or returns it with a reason. Its moves are subsidies.village_attendance.MOVES."""

    class State(models.TextChoices):
        FILLING = "filling", "填报中"
        SUBMITTED = "submitted", "已报送"
        CONFIRMED = "confirmed", "已确认"
        RETURNED = "returned", "已退回"

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="attendance_sheets", verbose_name="村（社区）"
    )
    month = models.DateField("月份（当月1日）")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.FILLING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    returned_reason = models.CharField("退回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "村（社区）考勤表"
        ordering = ["village", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "month"],
                name="attendance_sheet_once_per_village_month",
                violation_error_message="这个村（社区）这个月已有考勤表，请修改原有的那一份。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.month:%Y年%m月}考勤"


class Attendance(models.Model):
    """A month's attendance of one placement (no row: full attendance), or a withholding. Only a
    confirmed record counts (docs/policy.md §9.2): a record the township makes is confirmed as it is
    made; a village's waits (confirmed_at None) until a clerk confirms the village's sheet."""

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="attendance")
    month = models.DateField("月份（当月1日）")
    days = models.PositiveSmallIntegerField("出勤天数")
    withheld = models.BooleanField("暂停发放", default=False)
    note = models.CharField("备注/暂停原因", max_length=200, blank=True)
    # One character per day of the month, "1" present and "0" absent, when the village records
    # days (its count of "1" is `days`); empty when only the month's days are given.
    presence = models.CharField("每日出勤", max_length=31, blank=True, db_default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)
    # Confirmed when made, by default (the township's own records, also those written in bulk,
    # hence the database default); the village's records are made with None and confirmed with
    # their sheet (subsidies.village_attendance). The payroll reads confirmed records only.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(
        "确认时间", null=True, blank=True, default=timezone.now, db_default=Now()
    )

    class Meta:
        verbose_name = verbose_name_plural = "考勤"
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "month"],
                name="attendance_once_per_month",
                violation_error_message="这名在岗人员这个月已有考勤，请修改原有的那一条，不要重复录入。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement} {self.month:%Y-%m} {self.days}天"


class PayrollRun(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "待计算"
        COMPUTING = "computing", "计算中"
        COMPUTED = "computed", "已计算"
        FAILED = "failed", "计算失败"
        APPROVED = "approved", "已审核"
        LOCKED = "locked", "已锁定"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="payroll_runs", verbose_name="区县"
    )
    month = models.DateField("月份（当月1日）")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    # Each start is a new attempt, a background job of its own (common.models.Job: its progress
    # in townships, its last sign of life, the reason it failed, in 我的任务 of whoever started
    # it): a task of an earlier attempt (a worker that died and whose task Celery delivers again
    # later) finds itself superseded and does nothing; long silent, the run may be started again.
    attempt = models.PositiveIntegerField("计算次数", default=0)
    job = models.ForeignKey(
        "common.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="计算任务",
    )
    computed_at = models.DateTimeField(null=True, blank=True)
    # The computed lines' amounts per funding party and their number, summed when the computation
    # finishes (payroll.finish): lines change only by a computation, so every reader of a month's
    # spending (the landing pages' chart) reads these instead of summing its lines. None before.
    line_count = models.PositiveIntegerField("明细条数", null=True, blank=True)
    province_total = models.DecimalField(
        "省级承担合计", max_digits=16, decimal_places=2, null=True, blank=True
    )
    city_total = models.DecimalField("市级承担合计", max_digits=16, decimal_places=2, null=True, blank=True)
    district_total = models.DecimalField(
        "区级承担合计", max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Who started the computation of the lines as they stand (None: the scheduled job or a command):
    # that user never approves or locks the month (payroll.second_person_check).
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="计算人",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "月度补贴核算"
        ordering = ["county", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "month"],
                name="payroll_run_once_per_month",
                violation_error_message="本区县这个月已有补贴核算，每月只能有一次。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county.name} {self.month:%Y年%m月}补贴核算"

    # The current computation's progress and error, as its job holds them.
    @property
    def progress_done(self) -> int:
        return self.job.done if self.job else 0

    @property
    def progress_total(self) -> int:
        return self.job.total if self.job else 0

    @property
    def error(self) -> str:
        return self.job.error if self.job else ""

    @property
    def heartbeat_at(self) -> dt.datetime | None:
        return self.job.heartbeat_at if self.job else None


SHARES = models.F("province") + models.F("city") + models.F("district")
# 人数 (people paid in a month), the one definition every page, sheet and report counts: the
# placements with a regular line of the month. Someone with only a 补发/扣回 line for an earlier
# month is not counted (their amounts are in the totals); a person counts once per post held.
PEOPLE_NOTE = "人数：当月有补贴明细（当月补贴）的在岗人数，仅有补发/扣回的人员不计入人数，其金额计入合计。"


def people_paid() -> models.Count:
    return models.Count("placement", distinct=True, filter=Q(kind="regular"))


class PayrollLine(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", "当月补贴"
        BACK_PAY = "back_pay", "补发"
        RECOVERY = "recovery", "扣回"
        BONUS = "bonus", "绩效奖励"  # all the district's (docs/policy.md §9.10)

    # Indexes and constraints are what a 100,000-line month pays for on every write: the run is
    # covered by the (run, township) index, and the township is the placement's, copied for
    # per-township sheets (no constraint or index of its own). The placement has no database
    # foreign key: its check locks every referenced placement row at commit and doubled the time
    # of a month's write. Lines are only written from placements in the same statement,
    # and placements are never deleted (PROTECT here and everywhere else); no page looks lines up
    # by placement alone, so it has no index of its own either (a run's regular line of a
    # placement is found by the unique (run, placement) index). Neither has the run: its
    # deferred check ran 100,000 times at commit (docs/performance.md P9); lines are only
    # written by the computation of their own run, and a run's lines go with it (Django's CASCADE).
    # A run's lines are never deleted with it (PROTECT): money moves only through the services,
    # which record every removed line (subsidies.payroll.store).
    run = models.ForeignKey(
        PayrollRun, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    placement = models.ForeignKey(
        Placement, on_delete=models.PROTECT, related_name="payroll_lines", db_index=False, db_constraint=False
    )
    township = models.ForeignKey(
        Township, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    corrects_month = models.DateField("更正月份", null=True, blank=True)
    days_on_post = models.PositiveSmallIntegerField("在岗天数")
    days_attended = models.PositiveSmallIntegerField("出勤天数")
    fraction = models.DecimalField("发放比例", max_digits=9, decimal_places=6)
    pay = models.DecimalField("补贴金额", max_digits=12, decimal_places=2)
    province = models.DecimalField("省级承担", max_digits=12, decimal_places=2)
    city = models.DecimalField("市级承担", max_digits=12, decimal_places=2)
    district = models.DecimalField("区级承担", max_digits=12, decimal_places=2)
    # A month withheld (暂停发放, docs/policy.md §8.8) pays nothing; its reason is the note.
    withheld = models.BooleanField("暂停发放", default=False, db_default=False)
    note = models.CharField("备注/暂停原因", max_length=200, blank=True)
    # Whom the line paid, frozen when its month is locked (payroll.lock): every output of a locked
    # month reads these, so a later change of the person (name, bank account) never changes what
    # the month paid. Empty until the lock (a database default: lines are written by SQL too);
    # an unlocked month reads the person.
    payee_name = models.CharField("收款人姓名", max_length=50, blank=True, db_default="")
    payee_id_number = models.CharField("收款人身份证号", max_length=18, blank=True, db_default="")
    bank_account = models.CharField("银行账号", max_length=32, blank=True, db_default="")
    bank_name = models.CharField("开户银行", max_length=80, blank=True, db_default="")

    class Meta:
        verbose_name = verbose_name_plural = "补贴明细"
        ordering = ["run", "township", "id"]
        # A run's lines in township order, the order of the list and the workbook: an index range.
        indexes = [
            models.Index(fields=["run", "township", "id"], name="payroll_line_run_township_idx"),
            # A person's lines: the run's lines searched by name (a few placements found by the
            # name, their lines of the run; without it the run's 115,000 lines are read) and a
            # placement's history.
            models.Index(fields=["placement", "run"], name="payroll_line_placement_idx"),
        ]
        constraints = [
            # The shares add up to the pay, to the fen (a tolerance below the fen because SQLite
            # compares decimals as floats; PostgreSQL's numeric is exact).
            models.CheckConstraint(
                condition=Q(pay__lte=SHARES + Decimal("0.001")) & Q(pay__gte=SHARES - Decimal("0.001")),
                name="payroll_line_shares_add_up",
                violation_error_message="补贴金额须等于省级、市级、区县级分担金额之和。",
            ),
            models.UniqueConstraint(
                fields=["run", "placement"],
                condition=Q(kind="regular"),
                name="payroll_one_regular_line",
                violation_error_message="同一次核算里每名在岗人员只有一条当月补贴明细（补发、扣回另列）。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.placement} {self.pay}"

    @property
    def shown_note(self) -> str:
        """The note as pages and sheets show it: a withheld month says so before its reason."""
        return shown_note(self.withheld, self.note)


def shown_note(withheld: bool, note: str) -> str:
    return f"暂停发放：{note}" if withheld else note


class Finding(models.Model):
    """A check before computing (docs/policy.md §11). An open blocking finding stops approval until
    finance resolves it with a note."""

    class Kind(models.TextChoices):
        TWO_POSTS = "two_posts", "一人多岗"
        DEATH = "death", "在死亡人员名单中"
        PENSION = "pension", "在养老金领取人员名单中"
        NO_BANK = "no_bank", "无银行账号"
        RETIRED = "retired", "已达法定退休年龄"
        AGE_LIMIT = "age_limit", "超过乡村岗位年龄上限"
        EMPTY_POST = "empty_post", "在岗岗位无人员"
        LAPSED = "lapsed", "协议已到期未续签"  # no agreement, no pay (docs/policy.md §8.11): renew or exit
        # only in a county that requires confirmed attendance (County.attendance_required, §11)
        MISSING_ATTENDANCE = "no_attendance", "缺少考勤"

    BLOCKING = {Kind.TWO_POSTS, Kind.DEATH, Kind.PENSION, Kind.NO_BANK, Kind.MISSING_ATTENDANCE}

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    blocking = models.BooleanField("阻止审核")
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField("说明", max_length=300)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField("处理说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "核算前检查"
        ordering = ["run", "-blocking", "kind", "id"]

    def __str__(self) -> str:
        return self.message


class Party(models.TextChoices):
    """Who bears an amount (docs/policy.md §8.3)."""

    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    DISTRICT = "district", "区级"


class SocialInsurancePolicy(models.Model):
    """The employer's part of social insurance a county pays for its urban post holders from a date
    (docs/policy.md §8.13): the monthly contribution base, the rates as fractions of it, injury
    insurance only where the county adds it, and the party that bears it. One in force per county
    and date, picked as the pay policies are (common.dated.in_force)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="social_insurance_policies", verbose_name="区县"
    )
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    base = models.DecimalField("缴费基数（元/月）", max_digits=10, decimal_places=2)
    pension = models.DecimalField("基本养老保险单位费率（如0.16）", max_digits=7, decimal_places=5)
    medical = models.DecimalField("基本医疗保险单位费率", max_digits=7, decimal_places=5)
    unemployment = models.DecimalField("失业保险单位费率", max_digits=7, decimal_places=5)
    injury = models.DecimalField(
        "工伤保险单位费率（不补贴工伤保险的留空）", null=True, blank=True, max_digits=7, decimal_places=5
    )
    party = models.CharField("承担方", max_length=10, choices=Party.choices, default=Party.DISTRICT)
    personal_in_pay = models.BooleanField(
        "个人缴费部分已含在岗位补贴中",
        default=False,
        help_text="如东昌府区城镇岗位每月1700元已含个人缴纳保险部分",
    )
    document = models.CharField("文件", max_length=200)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "社会保险补贴标准"
        ordering = ["county", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "valid_from"],
                name="social_insurance_policy_once_per_start",
                violation_error_message="本区县这一起始日期已有社会保险补贴标准，请修改原有的那一条，不要重复录入。",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="social_insurance_policy_period",
                violation_error_message="截止日期不能早于起始日期。",
            ),
            models.CheckConstraint(
                condition=Q(base__gte=0)
                & Q(pension__gte=0, pension__lt=1)
                & Q(medical__gte=0, medical__lt=1)
                & Q(unemployment__gte=0, unemployment__lt=1)
                & (Q(injury__isnull=True) | Q(injury__gte=0, injury__lt=1)),
                name="social_insurance_policy_rates",
                violation_error_message="缴费基数不能为负数；费率须填写小数（如16%填0.16），在0到1之间。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}社会保险补贴（{self.valid_from}起，基数{self.base}元）"


class SocialInsuranceLine(models.Model):
    """The social-insurance subsidy of one urban holder in a run's month (docs/policy.md §8.13): paid
    to the social-insurance agency, not to the person, so apart from the payroll lines. Written
    with the run's lines by the same computation (subsidies.social_insurance), never otherwise.

    No database foreign keys, as PayrollLine (and for its reasons: the deferred checks of a month's
    rows at commit were most of what the subsidy cost a computation): the rows are written only from the
    lines the same transaction writes, and runs, townships and placements are never deleted."""

    run = models.ForeignKey(
        PayrollRun,
        on_delete=models.PROTECT,
        related_name="insurance_lines",
        db_index=False,
        db_constraint=False,
    )
    township = models.ForeignKey(
        Township, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    placement = models.ForeignKey(
        Placement,
        on_delete=models.PROTECT,
        related_name="insurance_lines",
        db_index=False,
        db_constraint=False,
    )
    base = models.DecimalField("缴费基数", max_digits=10, decimal_places=2)
    pension = models.DecimalField("养老保险", max_digits=12, decimal_places=2)
    medical = models.DecimalField("医疗保险", max_digits=12, decimal_places=2)
    unemployment = models.DecimalField("失业保险", max_digits=12, decimal_places=2)
    injury = models.DecimalField("工伤保险", max_digits=12, decimal_places=2)
    total = models.DecimalField("合计", max_digits=12, decimal_places=2)
    party = models.CharField("承担方", max_length=10, choices=Party.choices)

    class Meta:
        verbose_name = verbose_name_plural = "社会保险补贴明细"
        ordering = ["run", "township", "id"]
        indexes = [
            # a run's rows of some townships: the computation's compare and the run's export
            models.Index(fields=["run", "township"], name="social_line_run_township_idx"),
        ]
        constraints = [
            # also the index of a run's rows by placement (the export's payee) and of a run's rows
            models.UniqueConstraint(
                fields=["run", "placement"],
                name="social_line_once_per_run",
                violation_error_message="同一次核算里每名在岗人员只有一条社会保险补贴明细。",
            ),
            models.CheckConstraint(
                condition=Q(
                    total__lte=models.F("pension")
                    + models.F("medical")
                    + models.F("unemployment")
                    + models.F("injury")
                    + Decimal("0.001")
                )
                & Q(
                    total__gte=models.F("pension")
                    + models.F("medical")
                    + models.F("unemployment")
                    + models.F("injury")
                    - Decimal("0.001")
                ),
                name="social_line_adds_up",
                violation_error_message="社会保险补贴合计须等于各险种金额之和。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.placement} 社保补贴{self.total}"


class MonthAggregate(models.Model):
    """A locked month's sums per township and line (docs/policy.md §9.12): what the city and province
    pages read instead of the payroll lines. Written only by subsidies.aggregates.aggregates_write,
    in the transaction that locks the month (payroll.lock), or by the command aggregates_rebuild;
    writing again replaces the run's rows.

    pay and the three shares are every line of the month (当月补贴, 补发, 扣回, 绩效奖励), so a
    county's rows add up to its run's stored totals; the adjustments (补发 − 扣回) and the bonus are
    inside them and also apart; the social-insurance subsidy (§8.13) is apart from pay, as on the
    cost report. people is §9.9's count."""

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="aggregates")
    # the run's county and month, copied: the province's reads group by them without the run
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    month = models.DateField("月份（当月1日）")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    people = models.PositiveIntegerField("发放人数")
    pay = models.DecimalField("补贴金额", max_digits=16, decimal_places=2)
    province = models.DecimalField("省级承担", max_digits=16, decimal_places=2)
    city = models.DecimalField("市级承担", max_digits=16, decimal_places=2)
    district = models.DecimalField("区级承担", max_digits=16, decimal_places=2)
    adjustment_pay = models.DecimalField("其中补发扣回", max_digits=16, decimal_places=2)
    adjustment_province = models.DecimalField("其中补发扣回（省级）", max_digits=16, decimal_places=2)
    adjustment_city = models.DecimalField("其中补发扣回（市级）", max_digits=16, decimal_places=2)
    adjustment_district = models.DecimalField("其中补发扣回（区级）", max_digits=16, decimal_places=2)
    bonus = models.DecimalField("其中绩效奖励", max_digits=16, decimal_places=2)
    social_total = models.DecimalField("社保补贴", max_digits=16, decimal_places=2, db_default=0)
    social_province = models.DecimalField("社保补贴（省级）", max_digits=16, decimal_places=2, db_default=0)
    social_city = models.DecimalField("社保补贴（市级）", max_digits=16, decimal_places=2, db_default=0)
    social_district = models.DecimalField("社保补贴（区级）", max_digits=16, decimal_places=2, db_default=0)
    # the township's regular posts of the month's year filled at the lock, of the row's line: the
    # province page's plan progress without counting a province's posts (docs/policy.md §9.12)
    posts_filled = models.PositiveIntegerField("已上岗岗位数（锁定时）", db_default=0)

    class Meta:
        verbose_name = verbose_name_plural = "已锁定月份汇总"
        ordering = ["county", "month", "township", "line"]
        indexes = [
            # a year's months of some counties (the city and province pages): a range of months
            models.Index(fields=["month", "county"], name="month_aggregate_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "township", "line"],
                name="month_aggregate_once",
                violation_error_message="同一月份、乡镇（街道）和城乡类别只有一行汇总。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m} {self.township_id} {self.line}"


class SettledMonth(models.Model):
    """Per run, township and month it computed (its own month, or a locked month whose adjustments
    it settled): the digests of the facts the rules judged and the locked runs read as paid."""

    run = models.ForeignKey("subsidies.PayrollRun", on_delete=models.CASCADE, related_name="+")
    # the township's id, not a foreign key: written with the run's lines, read by id (as the lines')
    township_id = models.IntegerField("乡镇")
    month = models.DateField("月份（当月1日）")
    # the county's locked runs from `month` on whose lines the computation read as paid (ids)
    basis = models.JSONField("已锁定核算", default=list)
    terms = models.BinaryField("标准摘要")  # the digest of the month's policies per line
    summary = models.BinaryField("摘要")  # the digest of `digests`
    # the placements' ids (8 bytes each) then their facts' digests (payroll.settled.pack); empty
    # when the same as an earlier record's of the township and month (the same summary)
    digests = models.BinaryField("逐人摘要")

    class Meta:
        verbose_name = verbose_name_plural = "补贴核算已结算月份"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "township_id", "month"],
                name="settled_month_once",
                violation_error_message="同一核算、乡镇和月份只能有一条结算记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} 乡镇{self.township_id}"
