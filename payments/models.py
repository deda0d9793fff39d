"""Paying through the bank (代发, docs/policy.md §9.11): the county's banks and their file layouts,
the batches finance sends to each bank, what a month pays each person (one item per net, its
state computed → in a batch → paid / failed → repaid), and the amounts to recover (待扣回) with
their settlements. Money is Decimal, yuan to the fen; account and ID numbers are text."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from people.models import Person
from subsidies.models import PayrollRun
from townships.models import County, Township

SHARES = F("province") + F("city") + F("district")


def _adds_up(amount: str, name: str) -> models.CheckConstraint:
    """The shares add up to `amount`, to the fen (a tolerance below the fen: SQLite compares floats)."""
    return models.CheckConstraint(
        condition=Q(**{f"{amount}__lte": SHARES + Decimal("0.001")})
        & Q(**{f"{amount}__gte": SHARES - Decimal("0.001")}),
        name=name,
        violation_error_message="金额须等于省级、市级、区级承担之和。",
    )


class BankLayout(models.Model):
    """How a bank wants its file (the column map, docs/policy.md §9.11): the workbook has the
    columns in this order under these headers; the text file has them too, fixed-width (each
    column its width in bytes of the encoding) or delimited."""

    class TextFormat(models.TextChoices):
        FIXED = "fixed", "定长文本"
        DELIMITED = "delimited", "分隔符文本"

    class Encoding(models.TextChoices):
        GBK = "gbk", "GBK"
        UTF8 = "utf-8", "UTF-8"

    class AmountFormat(models.TextChoices):
        YUAN = "yuan", "元，两位小数（1234.56）"
        FEN = "fen", "分，整数（123456）"

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="bank_layouts", verbose_name="区县"
    )
    name = models.CharField("格式名称", max_length=60)
    text_format = models.CharField("文本格式", max_length=10, choices=TextFormat.choices)
    delimiter = models.CharField(
        "分隔符", max_length=3, blank=True, default="|", help_text="分隔符文本用，如 | 或 ,"
    )
    encoding = models.CharField("编码", max_length=10, choices=Encoding.choices, default=Encoding.GBK)
    date_format = models.CharField(
        "日期格式",
        max_length=20,
        default="%Y%m%d",
        help_text="如 %Y%m%d（20240331）或 %Y-%m-%d（2024-03-31）",
    )
    amount_format = models.CharField(
        "金额格式", max_length=10, choices=AmountFormat.choices, default=AmountFormat.YUAN
    )
    header_line = models.BooleanField("文本首行为列标题", default=False)
    totals_line = models.BooleanField("文本首行为总笔数、总金额", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "银行代发文件格式"
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="bank_layout_name_once",
                violation_error_message="本区县已有同名的代发文件格式。",
            )
        ]

    def __str__(self) -> str:
        return self.name


class LayoutColumn(models.Model):
    """One column of a layout, in its place."""

    class Field(models.TextChoices):
        SEQ = "seq", "序号"
        ACCOUNT = "account", "账号"
        NAME = "name", "户名"
        AMOUNT = "amount", "金额"
        ID_NUMBER = "id_number", "身份证号"
        BANK = "bank", "开户银行"
        TOWNSHIP = "township", "镇街"
        VILLAGE = "village", "村（社区）"
        DATE = "date", "代发日期"
        PURPOSE = "purpose", "用途"

    layout = models.ForeignKey(BankLayout, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField("顺序")
    field = models.CharField("内容", max_length=12, choices=Field.choices)
    header = models.CharField("列标题", max_length=30)
    width = models.PositiveSmallIntegerField("定长宽度（字节）", default=20)

    class Meta:
        verbose_name = verbose_name_plural = "代发文件列"
        ordering = ["layout", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["layout", "position"],
                name="layout_column_position_once",
                violation_error_message="列的顺序重复。",
            ),
            models.UniqueConstraint(
                fields=["layout", "field"],
                name="layout_column_field_once",
                violation_error_message="同一内容只能有一列。",
            ),
        ]

    def __str__(self) -> str:
        return self.header


class Bank(models.Model):
    """A bank of the county (the holders' 开户银行 name it by its name or one of its aliases:
    农商行 and 农村商业银行 are one bank) and the layout of its files."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="banks", verbose_name="区县")
    name = models.CharField("银行名称", max_length=60)
    aliases = models.TextField(
        "别名（每行一个）", blank=True, help_text="开户银行中出现这些名称的都算这家银行"
    )
    layout = models.ForeignKey(
        BankLayout, on_delete=models.PROTECT, related_name="banks", verbose_name="代发文件格式"
    )

    class Meta:
        verbose_name = verbose_name_plural = "代发银行"
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="bank_name_once",
                violation_error_message="本区县已有这家银行。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> list[str]:
        """The name and aliases, as written (blank lines dropped)."""
        aliases = [a.strip() for a in self.aliases.replace("，", "\n").replace(",", "\n").splitlines()]
        return [self.name, *(a for a in aliases if a)]


class Batch(models.Model):
    """What finance sends one bank for a locked month: its lines and their totals. Made by one
    finance user and approved by another before any file is taken (docs/policy.md §9.11); the
    bank's return then marks each line paid or failed. Moves: payments.batches.MOVES."""

    class State(models.TextChoices):
        MADE = "made", "待审核"
        APPROVED = "approved", "已审核"
        RETURNED = "returned", "已回盘"

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="区县")
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="+", verbose_name="月份")
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="batches", verbose_name="银行")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.MADE)
    pay_date = models.DateField("代发日期")
    line_count = models.PositiveIntegerField("笔数", default=0)
    total = models.DecimalField("合计金额", max_digits=16, decimal_places=2, default=Decimal("0.00"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="制作人"
    )
    made_at = models.DateTimeField("制作时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    returned_at = models.DateTimeField("回盘时间", null=True, blank=True)
    paid_count = models.PositiveIntegerField("成功笔数", default=0)
    failed_count = models.PositiveIntegerField("失败笔数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "代发批次"
        ordering = ["-run__month", "-id"]

    def __str__(self) -> str:
        return f"{self.run.month:%Y年%m月}{self.bank.name}代发批次{self.pk}"


class Item(models.Model):
    """What a locked month pays one person in one township (the net above 0, subsidies.payment),
    and where that payment stands. `amount` is what the bank is asked to pay: the net less what
    was deducted for earlier amounts to recover (the deduction's Settlement rows make the rest).

    Stored states are 已核算, 已入批次 (with its batch), 发放失败 and 已发放 (only for a net wholly
    taken by recoveries); an item in a batch whose return has come back without naming it as
    failed is paid (已发放, or 已重发 after an earlier failure): payments.batches.item_state says
    so in SQL, so that a return writes only its failures (a 100,000-line batch: 5,000 rows, not
    200,000). Like the payroll lines (docs/performance.md P9), the references have no database
    constraint: items and lines are written only by the services, in one transaction with what
    they name, and never deleted (PROTECT)."""

    class State(models.TextChoices):
        COMPUTED = "computed", "已核算"
        IN_BATCH = "in_batch", "已入批次"
        PAID = "paid", "已发放"
        FAILED = "failed", "发放失败"
        REPAID = "repaid", "已重发"

    run = models.ForeignKey(
        PayrollRun, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.COMPUTED)
    # the batch of its latest line (None until it is in one)
    batch = models.ForeignKey(
        "Batch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # whom the locked month pays (its frozen payee, subsidies.payment.nets); a repayment after a
    # failure goes to the person's account as corrected since
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    account = models.CharField("银行账号", max_length=32, blank=True)
    bank_name = models.CharField("开户银行", max_length=80, blank=True)
    village = models.CharField("村（社区）", max_length=80, blank=True)
    net = models.DecimalField("实发金额", max_digits=12, decimal_places=2)
    amount = models.DecimalField("代发金额", max_digits=12, decimal_places=2)
    province = models.DecimalField("省级承担", max_digits=12, decimal_places=2)
    city = models.DecimalField("市级承担", max_digits=12, decimal_places=2)
    district = models.DecimalField("区级承担", max_digits=12, decimal_places=2)
    reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代发明细"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "township", "person"],
                name="payment_item_once",
                violation_error_message="这个月这名人员在这个镇街只有一笔代发。",
            ),
            _adds_up("amount", "payment_item_shares_add_up"),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="payment_item_not_negative",
                violation_error_message="代发金额不能为负数（应扣回的金额另列待扣回）。",
            ),
        ]
        # a run's items (a batch's choice, the reconciliation): the unique (run, township, person) index

    def __str__(self) -> str:
        return f"{self.run} {self.person_id} {self.amount}"


class Line(models.Model):
    """One row of a batch's files: an item sent to the bank once, with the payee as sent."""

    class State(models.TextChoices):
        # a line of a returned batch not named as failed is paid (成功): payments.batches.line_state
        SENT = "sent", "待回盘"
        PAID = "paid", "成功"
        FAILED = "failed", "失败"

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    seq = models.PositiveIntegerField("序号")
    name = models.CharField("户名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18)
    account = models.CharField("账号", max_length=32)
    bank_name = models.CharField("开户银行", max_length=80, blank=True)
    township_name = models.CharField("镇街", max_length=50)
    village = models.CharField("村（社区）", max_length=80, blank=True)
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.SENT)
    reason = models.CharField("失败原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "代发批次明细"
        ordering = ["batch", "seq"]
        constraints = [
            # the files' rows in order, and a return's 序号 found by this index
            models.UniqueConstraint(
                fields=["batch", "seq"],
                name="payment_line_seq_once",
                violation_error_message="同一批次中序号不能重复。",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_line_positive",
                violation_error_message="代发金额须大于零。",
            ),
        ]
        # an item's lines (its latest attempt)
        indexes = [models.Index(fields=["item"], name="payment_line_item_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}-{self.seq}"


class Recovery(models.Model):
    """An amount to recover (待扣回): a locked month's net below 0 of a person in a township,
    not paid, deducted from the person's next nets as batches are made, or repaid by them."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name="区县"
    )
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="+", db_index=False)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("待扣回金额", max_digits=12, decimal_places=2)
    province = models.DecimalField("省级", max_digits=12, decimal_places=2)
    city = models.DecimalField("市级", max_digits=12, decimal_places=2)
    district = models.DecimalField("区级", max_digits=12, decimal_places=2)
    settled = models.DecimalField("已扣回", max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = verbose_name_plural = "待扣回"
        ordering = ["run__month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "township", "person"],
                name="recovery_once",
                violation_error_message="这名人员这个月在这个镇街已有一笔待扣回。",
            ),
            _adds_up("amount", "recovery_shares_add_up"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(settled__gte=0) & Q(settled__lte=F("amount")),
                name="recovery_settled_within",
                violation_error_message="已扣回金额不能超过待扣回金额。",
            ),
        ]
        indexes = [models.Index(fields=["county", "run"], name="recovery_county_run_idx")]

    def __str__(self) -> str:
        return f"{self.run} {self.person_id} 待扣回{self.amount}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.settled


class Settlement(models.Model):
    """A part of a Recovery settled: deducted from a later net (a batch line's item) or repaid."""

    class Kind(models.TextChoices):
        DEDUCTED = "deducted", "从补贴中扣回"
        REPAID = "repaid", "本人退回"

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.DecimalField("金额", max_digits=12, decimal_places=2)
    province = models.DecimalField("省级", max_digits=12, decimal_places=2)
    city = models.DecimalField("市级", max_digits=12, decimal_places=2)
    district = models.DecimalField("区级", max_digits=12, decimal_places=2)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "扣回记录"
        ordering = ["recovery", "date", "id"]
        constraints = [
            _adds_up("amount", "settlement_shares_add_up"),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="settlement_positive",
                violation_error_message="扣回或还款金额须大于零。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recovery} {self.get_kind_display()}{self.amount}"
