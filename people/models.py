"""People (人员实名), their target-group claims, eligibility rules as dated records, wider
scopes approved by a county, and department rosters (docs/policy.md §4)."""

from django.conf import settings
from django.db import models

from townships.models import County, Line, Township, Village


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class RetirementCategory(models.TextChoices):
    MALE_60 = "male_60", "男职工（原60周岁）"
    FEMALE_55 = "female_55", "女职工（原55周岁）"
    FEMALE_50 = "female_50", "女职工（原50周岁）"


class TargetGroup(models.TextChoices):
    POVERTY = "poverty", "脱贫享受政策人口（含监测对象）"
    LOW_INCOME = "low_income", "农村低收入人口"
    RURAL_DISABLED = "rural_disabled", "农村残疾人"
    RURAL_OLDER = "rural_older", "农村大龄人员"
    ZERO_EMPLOYMENT = "zero_employment", "城镇零就业家庭人员"
    URBAN_OLDER = "urban_older", "城镇大龄失业人员"
    SINGLE_PARENT = "single_parent", "未成年子女单亲家长"
    YOUTH_UNEMPLOYED = "youth_unemployed", "登记失业青年"
    MOTHER_OF_MINORS = "mother_of_minors", "抚育两个以上未成年子女的登记失业妇女"


class RosterKind(models.TextChoices):
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴部门（脱贫/监测对象）"
    CIVIL_AFFAIRS = "civil_affairs", "民政部门（低收入人口）"
    DISABLED = "disabled", "残联（残疾人）"
    DEATHS = "deaths", "死亡人员"
    PENSIONS = "pensions", "养老金领取人员"


# Which department's roster verifies a group claim; groups absent here need no roster.
GROUP_ROSTER: dict[str, RosterKind] = {
    TargetGroup.POVERTY: RosterKind.RURAL_REVITALIZATION,
    TargetGroup.LOW_INCOME: RosterKind.CIVIL_AFFAIRS,
    TargetGroup.RURAL_DISABLED: RosterKind.DISABLED,
}


class Person(models.Model):
    """One real person, unique by ID number across the whole deployment. Sex and birth date
    are derived from the ID number by the service; bank and ID numbers are text."""

    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    sex = models.CharField("性别", max_length=6, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # No index of its own: person_township_name_idx and person_name_prefix_idx lead with it, and
    # every index is paid for on each row of a 10,000-row import.
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="people", verbose_name="乡镇", db_index=False
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="people", verbose_name="村（社区）"
    )
    address = models.CharField("户籍地址", max_length=200, blank=True)
    household_no = models.CharField("户号", max_length=40, blank=True)
    retirement_category = models.CharField("退休类别", max_length=10, choices=RetirementCategory.choices)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    bank_name = models.CharField("开户银行", max_length=80, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    on_death_roster = models.BooleanField("在死亡名单中", default=False)
    on_pension_roster = models.BooleanField("在养老金领取名单中", default=False)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["township__code", "name"]
        indexes = [
            # people list: a township's people in name order, and name-prefix search.
            models.Index(fields=["township", "name", "id"], name="person_township_name_idx"),
            models.Index(
                fields=["township", "name"],
                name="person_name_prefix_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
                include=["id"],
            ),
            # household checks (one post per household rules, family look-ups).
            models.Index(fields=["household_no"], name="person_household_idx"),
            # the landing pages' count of people flagged by a roster: the few flagged, by township.
            models.Index(
                fields=["township"],
                condition=models.Q(on_death_roster=True) | models.Q(on_pension_roster=True),
                name="person_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupClaim(models.Model):
    """A person's claim to belong to a target group, and how it was verified."""

    class Status(models.TextChoices):
        NOT_REQUIRED = "not_required", "无需名单核验"
        PENDING = "pending", "待核验（尚未导入名单）"
        VERIFIED = "verified", "名单已核实"
        UNVERIFIED = "unverified", "名单未匹配，待人工认定"
        ACCEPTED = "accepted", "人工认定通过"
        REJECTED = "rejected", "人工认定不通过"

    # No index of its own: claim_one_per_person_group leads with it (each index is paid for on
    # every claim of a 10,000-row import).
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="claims", verbose_name="人员", db_index=False
    )
    group = models.CharField("人员类别", max_length=20, choices=TargetGroup.choices)
    evidence = models.CharField("证明材料", max_length=200, blank=True)
    status = models.CharField("核验状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    roster = models.ForeignKey(
        "Roster", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="核验名单"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="认定人",
        db_index=False,
    )
    decision_note = models.CharField("认定说明", max_length=200, blank=True)
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员类别"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "group"],
                name="claim_one_per_person_group",
                violation_error_message="此人已有这一人员类别，同一人员类别不能重复登记。",
            )
        ]
        indexes = [
            # roster re-verification and list filters: claims of a group and status, index-only to the person.
            models.Index(fields=["group", "status", "person"], name="claim_group_status_idx"),
            # the landing page's count of claims awaiting a decision (workspace.selectors.
            # _people_counts): the scope's people each looked up here, a small index in memory; through
            # the unique (person, group) index each look-up read the claim's row from a table of the
            # whole province's claims (bench/province.py: 366 ms for 9,191 people; docs/performance.md P16)
            models.Index(
                fields=["person"],
                condition=models.Q(status="unverified"),
                name="claim_unverified_idx",
            ),
            # a user's manual decisions (PROTECT when a user is deleted): few claims, a small index
            # that imports, which write none, do not touch.
            models.Index(
                fields=["decided_by"],
                condition=models.Q(decided_by__isnull=False),
                name="claim_decided_by_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.get_group_display()

    @property
    def qualifies(self) -> bool:
        return self.status in {
            self.Status.NOT_REQUIRED,
            self.Status.PENDING,
            self.Status.VERIFIED,
            self.Status.ACCEPTED,
        }


class BankAccountChange(models.Model):
    """A change of a person's bank account, entered by one user and confirmed by another of the
    township or HR (docs/policy.md §10: bank accounts are changed by two people). The person's account
    changes only when it is confirmed; until then payments use the old one."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已退回"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="bank_changes", verbose_name="人员", db_index=False
    )
    bank_account = models.CharField("新银行账号", max_length=32)
    bank_name = models.CharField("新开户银行", max_length=80, blank=True)
    previous_account = models.CharField("原银行账号", max_length=32, blank=True)
    previous_bank_name = models.CharField("原开户银行", max_length=80, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    requested_at = models.DateTimeField("录入时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行账号变更"
        ordering = ["-requested_at", "-id"]
        constraints = [
            # one change waits at a time: a second one would be confirmed over the first unseen
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state="pending"),
                name="bank_change_one_pending",
                violation_error_message="此人已有一笔待确认的银行账号变更，请先确认或退回那一笔，再录入新的变更。",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("requested_by"))
                | models.Q(state="rejected"),
                name="bank_change_two_people",
                violation_error_message="银行账号变更须由录入人以外的另一人确认，录入人不能确认自己录入的变更。",
            ),
        ]
        indexes = [
            # a person's changes (person page), newest first
            models.Index(fields=["person", "-requested_at"], name="bank_change_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}银行账号变更（{self.get_state_display()}）"


class EligibilityRule(models.Model):
    """Which target group a line takes in a county, with age bounds per sex, over a period."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="eligibility_rules")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    group = models.CharField("人员类别", max_length=20, choices=TargetGroup.choices)
    sex = models.CharField("限定性别", max_length=6, choices=Sex.choices, blank=True)
    min_age_male = models.PositiveSmallIntegerField("男性最低年龄", null=True, blank=True)
    max_age_male = models.PositiveSmallIntegerField("男性最高年龄", null=True, blank=True)
    min_age_female = models.PositiveSmallIntegerField("女性最低年龄", null=True, blank=True)
    max_age_female = models.PositiveSmallIntegerField("女性最高年龄", null=True, blank=True)
    up_to_retirement = models.BooleanField("不超过法定退休年龄", default=False)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    document = models.CharField("依据文件", max_length=120)

    class Meta:
        verbose_name = verbose_name_plural = "安置对象规则"
        ordering = ["county", "line", "group", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="rule_valid_period",
                violation_error_message="失效日期不能早于生效日期。",
            ),
        ]

    def __str__(self) -> str:  # labels by dict: lists print this for every person
        return f"{Line(self.line).label}·{TargetGroup(self.group).label}（{self.document}）"


class WiderScope(models.Model):
    """A county-approved wider scope (扩大安置对象范围) for a line over a period."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="wider_scopes")
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    description = models.CharField("扩大范围说明", max_length=200)
    min_age = models.PositiveSmallIntegerField("最低年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最高年龄", null=True, blank=True)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    document = models.CharField("批准文件", max_length=120)

    class Meta:
        verbose_name = verbose_name_plural = "扩大安置对象范围"
        ordering = ["county", "line", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_line_display()}·{self.description}（{self.document}）"


class Roster(models.Model):
    """A department roster imported by the county, keyed by ID number, as of a date."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="rosters")
    kind = models.CharField("名单类型", max_length=24, choices=RosterKind.choices)
    roster_date = models.DateField("名单日期")
    file_name = models.CharField("文件名", max_length=200, blank=True)
    row_count = models.PositiveIntegerField("人数", default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门名单"
        ordering = ["county", "kind", "-roster_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.roster_date}"


class RosterEntry(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries")
    id_number = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "名单人员"
        constraints = [
            models.UniqueConstraint(
                fields=["roster", "id_number"],
                name="roster_entry_unique_id",
                violation_error_message="这份名单里已有这个身份证号，同一人不能重复列入。",
            ),
        ]
        indexes = [
            # claim verification: is this ID on that roster?
            models.Index(fields=["id_number", "roster"], name="roster_entry_id_idx"),
        ]

    def __str__(self) -> str:
        return self.id_number
