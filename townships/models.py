"""Organisation (city, county, township, village), yearly plans and user memberships."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

code12 = RegexValidator(r"^\d{12}$", "村（社区）代码必须是12位数字。")
code9 = RegexValidator(r"^\d{9}$", "乡镇（街道）代码必须是9位数字。")
code6 = RegexValidator(r"^\d{6}$", "县（区）代码必须是6位数字。")
code4 = RegexValidator(r"^\d{4}$", "市代码必须是4位数字。")


class Line(models.TextChoices):
    """The two lines of posts; quotas, rules and pay differ by line."""

    URBAN = "urban", "城镇"
    RURAL = "rural", "乡村"


class City(models.Model):
    code = models.CharField("市代码", max_length=4, unique=True, validators=[code4])
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "市"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    code = models.CharField("区县代码", max_length=6, unique=True, validators=[code6])
    name = models.CharField("名称", max_length=50)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="counties", verbose_name="所属市")
    dedicated_posts_per_township = models.PositiveSmallIntegerField("每镇（街道）专职公益性岗位数", default=0)
    # County settings for our decisions of docs/policy.md §4.3 (all listed in its §15), editable by a
    # county administrator.
    minimum_age = models.PositiveSmallIntegerField("最低年龄（周岁）", default=16)
    rural_flag_age = models.PositiveSmallIntegerField("乡村岗位超龄提示年龄（周岁）", default=65)
    # Our decisions of docs/policy.md §5.2, §5.5, §5.7, §7.1, §7.3, §7.6.
    publicity_working_days = models.PositiveSmallIntegerField("公示期（工作日）", default=5)
    agreement_term_months = models.PositiveSmallIntegerField("协议期限（月）", default=12)
    subsidy_months = models.PositiveSmallIntegerField("补贴期限（月）", default=36)
    urban_extension_years = models.PositiveSmallIntegerField(
        "城镇岗位延至退休：首次审批时距退休不足（年）", default=5
    )
    alert_days = models.PositiveSmallIntegerField("到期提醒提前天数", default=60)
    township_may_announce = models.BooleanField("乡镇（街道）可发布招聘公告", default=False)
    # docs/policy.md §9.4: the finance user who computes a month never approves or locks it. A county may
    # switch this off only with a recorded reason (the database refuses it without one).
    payroll_two_people = models.BooleanField("补贴核算须由另一名财务人员审核、锁定", default=True)
    payroll_two_people_off_reason = models.CharField(
        "不执行双人审核的原因（依据）", max_length=200, blank=True
    )
    # docs/policy.md §9.2, §11: on, a holder paid for a month without confirmed attendance is a blocking
    # finding of the run; off (today's behaviour), no record means a full month, silently.
    attendance_required = models.BooleanField("在岗人员须有经确认的考勤", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "区县"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payroll_two_people=True) | ~models.Q(payroll_two_people_off_reason=""),
                name="county_two_people_off_has_reason",
                violation_error_message="关闭补贴核算双人审核须写明原因（依据）。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", "镇"
        STREET = "street", "街道"

    code = models.CharField("乡镇（街道）代码", max_length=9, unique=True, validators=[code9])
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name="区县"
    )

    class Meta:
        verbose_name = verbose_name_plural = "乡镇（街道）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", "村"
        COMMUNITY = "community", "社区"

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name="乡镇（街道）"
    )
    name = models.CharField("名称", max_length=80)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    # the 12-digit 统计用区划代码 where known (the township's 9 digits and 3 more; docs/policy.md §1.6)
    code = models.CharField(
        "村（社区）代码", max_length=12, null=True, blank=True, unique=True, validators=[code12]
    )

    class Meta:
        verbose_name = verbose_name_plural = "村（社区）"
        ordering = ["township__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_unique_name_per_township",
                violation_error_message="这个乡镇（街道）已有同名的村（社区）。",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FiveYearPlan(models.Model):
    """A county's five-year target (e.g. “十四五” 2021–2025), urban and rural, with its yearly split
    (docs/policy.md §2.5). Written by townships.plans.five_year_plan_save only."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="five_year_plans", verbose_name="区县"
    )
    first_year = models.PositiveSmallIntegerField("起始年度")
    last_year = models.PositiveSmallIntegerField("截止年度")
    title = models.CharField("名称", max_length=120)
    document = models.CharField("文件", max_length=200, blank=True)
    target_urban = models.PositiveIntegerField("城镇岗位目标")
    target_rural = models.PositiveIntegerField("乡村岗位目标")
    # 每年开发计划中乡村岗位约占的比例（%）; a year's plan far from it is warned about, not refused
    rural_share = models.DecimalField(
        "乡村岗位约占比例（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    # how far (in percentage points) a year's rural share may be from it before the warning
    # (docs/policy.md §2.5): the county's own, “约占” being an approximation
    share_tolerance = models.DecimalField(
        "乡村比例允许偏差（百分点）", max_digits=5, decimal_places=2, default=Decimal("5")
    )

    class Meta:
        verbose_name = verbose_name_plural = "五年岗位目标"
        ordering = ["county__code", "-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "first_year"],
                name="five_year_plan_one_per_county_start",
                violation_error_message="本区县已有从这一年度开始的五年目标。",
            ),
            models.CheckConstraint(
                condition=models.Q(last_year=models.F("first_year") + 4),
                name="five_year_plan_spans_five_years",
                violation_error_message="五年目标须包含连续的五个年度。",
            ),
            models.CheckConstraint(
                condition=models.Q(rural_share__isnull=True)
                | models.Q(rural_share__gte=0, rural_share__lte=100),
                name="five_year_plan_share_a_percentage",
                violation_error_message="乡村岗位比例须在0到100之间。",
            ),
            models.CheckConstraint(
                condition=models.Q(share_tolerance__gte=0, share_tolerance__lte=100),
                name="five_year_plan_tolerance_a_percentage",
                violation_error_message="乡村比例允许偏差须在0到100个百分点之间。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self) -> int:
        return self.target_urban + self.target_rural


class FiveYearPlanYear(models.Model):
    """One year of a five-year target: its total, and its urban and rural parts where the document
    gives them."""

    five_year_plan = models.ForeignKey(
        FiveYearPlan, on_delete=models.CASCADE, related_name="years", verbose_name="五年目标"
    )
    year = models.PositiveSmallIntegerField("年度")
    total = models.PositiveIntegerField("年度岗位数")
    urban = models.PositiveIntegerField("其中城镇", null=True, blank=True)
    rural = models.PositiveIntegerField("其中乡村", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "五年目标年度分解"
        ordering = ["five_year_plan", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["five_year_plan", "year"],
                name="five_year_plan_year_once",
                violation_error_message="五年目标的每个年度只填一行。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.total}"


class Plan(models.Model):
    """A county's yearly development plan (年度开发计划); quotas are per township and line, held by
    its dated versions (PlanVersion: the plan as adopted is version 1, each 动态调整 a later one;
    docs/policy.md §2.6). The declared totals here are version 1's."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="plans", verbose_name="区县")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=120)
    document = models.CharField("文件", max_length=200, blank=True)
    declared_urban = models.PositiveIntegerField("文件所列城镇合计")
    declared_rural = models.PositiveIntegerField("文件所列乡村合计")

    class Meta:
        verbose_name = verbose_name_plural = "年度开发计划"
        ordering = ["county__code", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year"],
                name="plan_one_per_county_year",
                violation_error_message="本区县这一年度已有开发计划，请修改原有的那一份，不要重复创建。",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    """A version of a yearly plan (docs/policy.md §2.6): the plan as adopted (number 1, in force
    from the start of the year) or an adjustment (动态调整) in force from its date, with its
    document and reason. Each holds the full quota rows of the county's townships."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions", verbose_name="计划")
    number = models.PositiveSmallIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    document = models.CharField("文号", max_length=200, blank=True)
    reason = models.CharField("调整原因", max_length=300, blank=True)
    declared_urban = models.PositiveIntegerField("城镇合计")
    declared_rural = models.PositiveIntegerField("乡村合计")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度计划版本"
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="plan_version_number_once",
                violation_error_message="这份计划已有这个版本号。",
            ),
            models.UniqueConstraint(
                fields=["plan", "effective_from"],
                name="plan_version_one_per_day",
                violation_error_message="这份计划在这一天已有生效的版本。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} 第{self.number}版"

    @property
    def declared_total(self) -> int:
        return self.declared_urban + self.declared_rural


class Quota(models.Model):
    """One township's urban and rural quota in a version of a plan, in the order the document lists
    them. `plan` is the version's plan (written with it by townships.plans and services.plan_load),
    kept for the readers that ask for a year's quotas."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="quotas", verbose_name="计划")
    version = models.ForeignKey(
        PlanVersion, on_delete=models.CASCADE, related_name="quotas", verbose_name="版本"
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="quotas", verbose_name="乡镇"
    )
    position = models.PositiveSmallIntegerField("文件中的顺序", default=0)
    urban = models.PositiveIntegerField("城镇岗位数")
    rural = models.PositiveIntegerField("乡村岗位数")

    class Meta:
        verbose_name = verbose_name_plural = "乡镇岗位计划"
        ordering = ["plan", "position", "township__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "township"],
                name="quota_one_per_version_township",
                violation_error_message="这份计划里已有这个乡镇（街道）的岗位数，每个乡镇（街道）只填一行。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year} {self.township}"

    @property
    def total(self) -> int:
        return self.urban + self.rural

    def for_line(self, line: str) -> int:
        return self.urban if line == Line.URBAN else self.rural


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "区县管理员"
    HR = "hr", "人社局工作人员"
    FINANCE = "finance", "财政工作人员"
    AUDITOR = "auditor", "审计（只读）"
    CLERK = "clerk", "乡镇经办人"
    VILLAGE = "village", "村（社区）协管员"
    AGENCY = "agency", "第三方机构人员"
    # above the county, read-only supervision of their area (docs/policy.md §1.4)
    CITY = "city", "市级人社/财政督导"
    PROVINCE = "province", "省级督导"


class Membership(models.Model):
    """Ties a user to a role and a scope: a county (or all counties for a county admin
    without one), exactly one township for a clerk, or exactly one village for a village user
    (whose township is the village's, for the audit log's scope; no county: docs/policy.md §1.2),
    one city for a city user, nothing for a province user (the whole deployment, docs/policy.md §1.4).
    No membership means no access."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="区县"
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="乡镇"
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="村（社区）",
    )
    # the staff of a contracted agency (docs/policy.md §1.5): their townships and rights are the
    # agency's running contracts', read by the gate (townships.access.may_act)
    agency = models.ForeignKey(
        "Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="第三方人力资源服务机构",
    )
    # a city user's city: they read its counties (docs/policy.md §1.4)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="市"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户角色"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="clerk") | models.Q(township__isnull=False),
                name="membership_clerk_has_township",
                violation_error_message="乡镇经办人必须选择所属乡镇（街道）。",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    role__in=["clerk", "county_admin", "village", "agency", "city", "province"]
                )
                | models.Q(county__isnull=False),
                name="membership_county_role_has_county",
                violation_error_message="人社局、财政和审计工作人员必须选择所属区县。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="village") | models.Q(village__isnull=False),
                name="membership_village_role_has_village",
                violation_error_message="村（社区）协管员必须选择所属村（社区）。",
            ),
            models.CheckConstraint(
                condition=models.Q(role="village") | models.Q(village__isnull=True),
                name="membership_village_only_for_village_role",
                violation_error_message="只有村（社区）协管员选择村（社区）；乡镇经办人和区县工作人员不选村（社区）。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="village") | models.Q(county__isnull=True),
                name="membership_village_role_no_county",
                violation_error_message="村（社区）协管员不选区县，只管理所属村（社区）。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="agency") | models.Q(agency__isnull=False),
                name="membership_agency_role_has_agency",
                violation_error_message="第三方机构人员必须选择所属第三方人力资源服务机构。",
            ),
            models.CheckConstraint(
                condition=models.Q(role="agency") | models.Q(agency__isnull=True),
                name="membership_agency_only_for_agency_role",
                violation_error_message="只有第三方机构人员选择第三方人力资源服务机构。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="agency")
                | models.Q(county__isnull=True, township__isnull=True, village__isnull=True),
                name="membership_agency_role_no_scope",
                violation_error_message="第三方机构人员不选区县、乡镇（街道）或村（社区）：其范围是所属机构在有效期内的服务合同约定的乡镇（街道）。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="city") | models.Q(city__isnull=False),
                name="membership_city_role_has_city",
                violation_error_message="市级督导用户必须选择所属市。",
            ),
            models.CheckConstraint(
                condition=models.Q(role="city") | models.Q(city__isnull=True),
                name="membership_city_only_for_city_role",
                violation_error_message="只有市级督导用户选择市。",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=["city", "province"])
                | models.Q(
                    county__isnull=True, township__isnull=True, village__isnull=True, agency__isnull=True
                ),
                name="membership_supervisor_no_county_scope",
                violation_error_message="市级、省级督导用户不选区县、乡镇（街道）、村（社区）或机构：市级用户的范围是所属市的各区县，省级用户的范围是全部区县。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class CalendarDay(models.Model):
    """A working-day fact for a year the chinesecalendar package does not cover (or a
    correction to it): public holidays (is_workday False) and make-up working days on weekends
    (is_workday True). A year is covered once its `CalendarYear` row says the State Council
    notice has been entered."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历（调整日）"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'}"


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年度", unique=True)
    document = models.CharField("国务院办公厅放假安排通知", max_length=120)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历（已录入年度）"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{self.document}）"


class Agency(models.Model):
    """A 第三方人力资源服务机构 a county contracts for some townships (docs/policy.md §1.5); what it
    may do, where and when, is its contracts'."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="agencies", verbose_name="区县")
    name = models.CharField("机构名称", max_length=100)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-HJ-NP-RTUWXY]{18}$", "统一社会信用代码为18位数字或大写字母。")],
    )

    class Meta:
        verbose_name = verbose_name_plural = "第三方人力资源服务机构"
        ordering = ["county", "name"]

    def __str__(self) -> str:
        return self.name


# The acts a contract may grant, by field name (townships.access.Act): nothing else can be granted.
AGENCY_ACTS = {"attendance": "考勤", "assessment": "绩效考核评分", "applicants": "申请人录入"}


class AgencyContract(models.Model):
    """A contract of an agency: its townships, its dates (both days included) and the acts it
    grants (docs/policy.md §1.5). Only these three acts exist: never an approval or money."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="contracts", verbose_name="机构"
    )
    number = models.CharField("合同编号", max_length=60)
    townships = models.ManyToManyField(
        Township, related_name="agency_contracts", verbose_name="服务乡镇（街道）"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    document = models.CharField("合同文件（文号或存放位置）", max_length=200, blank=True)
    attendance = models.BooleanField("考勤", default=False)
    assessment = models.BooleanField("绩效考核评分", default=False)
    applicants = models.BooleanField("申请人录入", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "第三方机构服务合同"
        ordering = ["agency", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="agency_contract_ends_after_start",
                violation_error_message="合同结束日期不能早于开始日期。",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance=True) | models.Q(assessment=True) | models.Q(applicants=True),
                name="agency_contract_grants_an_act",
                violation_error_message="合同至少须约定一项委托事项（考勤、绩效考核评分、申请人录入）。",
            ),
            models.UniqueConstraint(
                fields=["agency", "number"],
                name="agency_contract_unique_number",
                violation_error_message="该机构已有这个编号的合同。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} {self.number}（{self.start_date}至{self.end_date}）"

    def grants(self) -> list[str]:
        """The acts granted, by their labels."""
        return [label for field, label in AGENCY_ACTS.items() if getattr(self, field)]
