"""Post categories with their duties per line (DOMAIN.md §3), and the real-name posts."""

from django.db import models

from townships.models import Line, Township, Village


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
                fields=["category", "line", "name"], name="duty_unique_per_category_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_line_display()}·{self.category.name}·{self.name}"


class Post(models.Model):
    """A real-name post (岗位实名). Filled when a person is placed on it."""

    class Status(models.TextChoices):
        VACANT = "vacant", "空岗"
        FILLED = "filled", "在岗"
        CLOSED = "closed", "已撤销"

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

    class Meta:
        verbose_name = verbose_name_plural = "岗位"
        ordering = ["township__code", "code"]
        indexes = [
            # plan_report: filled posts per township, line and year.
            models.Index(fields=["township", "year", "line", "status"], name="post_plan_filled_idx"),
        ]

    def __str__(self) -> str:
        return self.code
