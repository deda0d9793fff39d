"""The audit log: django-auditlog's entry with the scope an auditor filters by.

Every change to a tracked model (audit.registry) is one Entry: who (actor), when, through what
(a page, a background task, a command), and the fields before and after, ID and bank numbers
masked. Single saves are recorded by django-auditlog's signals; bulk writes (imports, roster
matches, payroll computations) write the same entries set-based through audit.record.
"""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.db import models
from django.utils import timezone

from townships.models import County, Township

ACTIONS = [
    (AbstractLogEntry.Action.CREATE, "新增"),
    (AbstractLogEntry.Action.UPDATE, "修改"),
    (AbstractLogEntry.Action.DELETE, "删除"),
    # a full view or download of ID or bank numbers, a search by number, an API call (its note says
    # which, and whether the numbers were whole)
    (AbstractLogEntry.Action.ACCESS, "查阅"),
]


class EntryManager(LogEntryManager):
    def log_create(self, instance: models.Model, force_log: bool = False, **kwargs: object) -> "Entry | None":
        """django-auditlog's entry, stamped with the object's county, township and subject."""
        from .registry import scope_of

        for key, value in scope_of(instance).items():
            kwargs.setdefault(key, value)
        return super().log_create(instance, force_log=force_log, **kwargs)


class Entry(AbstractLogEntry):
    # django-auditlog indexes five columns of its own; every index is paid for on each row of a
    # 10,000-row import. The pages read entries by county and by subject (the indexes below).
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name="对象类型",
    )
    object_pk = models.CharField("对象编号", max_length=255)
    object_id = models.BigIntegerField("对象ID", blank=True, null=True)
    action = models.PositiveSmallIntegerField("操作", choices=ACTIONS)
    cid = models.CharField("关联编号", max_length=255, blank=True, null=True)  # noqa: DJ001 (as django-auditlog)
    timestamp = models.DateTimeField("时间", default=timezone.now)
    # Scope columns without database constraints: a log row must never stop a township or
    # county from being corrected, and is never joined for anything but its name.
    county = models.ForeignKey(
        County,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name="区县",
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name="乡镇",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name="操作人",
    )
    # The object whose 修改记录 page lists this entry ("people.person:12"): a person's group
    # claims appear on the person, an attendance mark on its placement, a payroll line on its run.
    subject = models.CharField("所属对象", max_length=60, blank=True)
    via = models.CharField("途径", max_length=80, blank=True)

    objects = EntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = verbose_name_plural = "审计日志"
        indexes = [
            # the county log, newest first (filters by township, action and kind narrow it further)
            models.Index(fields=["county", "-timestamp", "-id"], name="audit_county_time_idx"),
            # the county log of one township (a clerk's scope, or the 乡镇 filter): walking the county's
            # entries read a row for each to find the township's, one in fourteen, scattered over a
            # province's table (bench/province.py: 152 ms against 5 ms alone; docs/performance.md P17).
            # The county is carried too: the page's count (scope: county and township) is then read
            # from the index alone, not from the township's rows spread over the table; statistics
            # of the township deciding the county (migration 0005) keep the planner on this index
            # for the page (P19)
            models.Index(
                fields=["township", "-timestamp", "-id"], include=["county"], name="audit_township_time_idx"
            ),
            # an object's 修改记录 page
            models.Index(fields=["subject", "-timestamp"], name="audit_subject_idx"),
        ]
