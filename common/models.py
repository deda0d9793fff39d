"""Long work a user (or the scheduled job) started and may leave and find again — an export, an
import, a payroll computation: its progress, its last sign of life, and its result (a file, a
message) or the reason it failed. The one model of background work. Pages: workspace."""

from typing import Any

from django.conf import settings
from django.db import models


class Job(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Kind(models.TextChoices):
        EXPORT = "export", "导出列表"
        APPLICANT_IMPORT = "applicant_import", "导入申请人"
        APPLICANT_PREVIEW = "applicant_preview", "检查申请人表格"
        PLACEMENTS_IMPORT = "placements_import", "新老衔接导入"
        ROSTER_IMPORT = "roster_import", "导入部门名单"
        PAYROLL = "payroll", "补贴核算"
        PAYMENT_BATCHES = "payment_batches", "生成代发批次"

    # None: the scheduled job or a command started it (a payroll run on the 25th)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", null=True, blank=True
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.EXPORT)
    listing = models.CharField("列表", max_length=40, blank=True)
    # what the job was asked (and, for imports, under "result": what a page shows of the outcome)
    params = models.JSONField("条件", default=dict)
    title = models.CharField("任务", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField("已完成行数", default=0)
    total = models.PositiveIntegerField("总行数", default=0)
    error = models.TextField("错误", blank=True)
    message = models.CharField("结果", max_length=300, blank=True)
    file = models.FileField("结果文件", upload_to="jobs/", blank=True)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    # the work's last sign of life: long silent while running, its worker has died
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        # "我的任务": a user's latest jobs.
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_latest_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> Any:
        """The user a job runs for: every job but a scheduled payroll computation has one."""
        if self.user is None:
            raise ValueError(f"job {self.pk} ({self.kind}) has no user")
        return self.user

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
