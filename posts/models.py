"""Post categories with their duties per line (docs/policy.md §3), and the real-name posts."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from townships.models import County, Line, Township, Village


class PostCategory(models.Model):
    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "岗位类别"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class Duty(models.Model):
    category = models.ForeignKey(
        PostCategory, on_delete=models.PROTECT, related_name="duties", verbose_name="类别"
    )
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    name = models.CharField("岗位职责", max_length=60)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "岗位职责"
        ordering = ["line", "category__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "line", "name"],
                name="duty_unique_per_category_line",
                violation_error_message="这一岗位类别的同一城乡类别下已有同名的岗位职责。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}·{self.category.name}·{self.name}"


# A post's working time unless it says otherwise (posts.services.post_create): rural posts are
# 2 hours a day, 20 days a month (the policies pay the hourly rate × 2 h × 20 days); urban posts
# are full-time at the minimum monthly wage (docs/policy.md).
WORKING_TIME = {Line.RURAL: "每天工作2小时，每月20天", Line.URBAN: "全日制，按用人单位作息时间"}


class Post(models.Model):
    """A real-name post (岗位实名). Filled when a person is placed on it."""

    class Status(models.TextChoices):
        VACANT = "vacant", "空岗"
        FILLED = "filled", "在岗"
        CLOSED = "closed", "已撤销"

    class Kind(models.TextChoices):
        REGULAR = "regular", "城乡公益性岗位"
        DEDICATED = "dedicated", "专职公益性岗位（乡镇管理）"

    code = models.CharField("岗位编号", max_length=30, unique=True)
    year = models.PositiveSmallIntegerField("开发年度")
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="posts", verbose_name="乡镇"
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="posts", verbose_name="用人单位（村/社区）"
    )
    line = models.CharField("城乡", max_length=10, choices=Line.choices)
    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="posts", verbose_name="岗位职责")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.VACANT)
    kind = models.CharField("岗位性质", max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    department = models.CharField("开发部门", max_length=60, blank=True)
    working_time = models.CharField("工作时间", max_length=60, default="每天工作2小时，每月20天")

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        ordering = ["township__code", "code"]
        indexes = [
            # plan_report: filled posts per township, line and year.
            models.Index(fields=["township", "year", "line", "status"], name="post_plan_filled_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class Announcement(models.Model):
    """发布公告: a call for applications to a set of vacant posts, with a deadline."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="announcements", verbose_name="区县"
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name="发布乡镇（街道）",
    )
    title = models.CharField("标题", max_length=120)
    body = models.TextField("公告正文", blank=True)
    deadline = models.DateField("报名截止日期")
    # The business date of publication: the first day of the application period (docs/policy.md §5.2, §6.2:
    # an application falls within its announcement's period). Set by announcement_publish;
    # published_at below is only the moment the row was written.
    published_on = models.DateField("发布日期", default=timezone.localdate)
    posts = models.ManyToManyField(Post, related_name="announcements", verbose_name="招聘岗位")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发布人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "招聘公告"
        ordering = ["-published_at"]
        constraints = [
            # An announcement whose deadline has passed cannot be published (docs/policy.md §5.2).
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("published_on")),
                name="announcement_deadline_not_before_publication",
                violation_error_message="报名截止日期不能早于公告发布日期。",
            ),
        ]

    def __str__(self) -> str:
        return self.title
