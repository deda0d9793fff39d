"""Writes of background jobs (common.models.Job): progress, success and failure, each its own
short statement outside any long transaction, so that the job's page sees them at once. Imports
(applicants' previews and imports, 新老衔接) also leave a result for their page: counts and the
first problems in params["result"], every problem in a workbook (the job's file).

A job's file is in the default storage under jobs/ (a random name): written by the worker, read by
the web (Job.file), so on several machines a shared S3-compatible bucket (config/settings/base.py)."""

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.base import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import Job
from .sheets import CellProblem
from .uploads import store
from .xlsx import Sheet, write_workbook

SHOWN_PROBLEMS = 200  # on a page; the workbook has them all


def job_progress(job_id: int, done: int, total: int | None = None) -> None:
    fields: dict = {"state": Job.State.RUNNING, "done": done}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_done(job_id: int, *, message: str = "", file: str = "", result: dict | None = None) -> None:
    job = Job.objects.get(pk=job_id)
    params = job.params | {"result": result} if result is not None else job.params
    Job.objects.filter(pk=job_id).update(
        state=Job.State.DONE,
        done=job.total,
        message=message,
        file=file or job.file.name,
        finished_at=timezone.now(),
        params=params,
    )


def job_fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(state=Job.State.FAILED, error=message, finished_at=timezone.now())


def job_get(*, user: User, pk: int) -> Job:
    """One of the user's own jobs, or 404: nobody sees another user's jobs."""
    try:
        return Job.objects.get(pk=pk, user=user)
    except Job.DoesNotExist:
        raise Http404("没有这个任务") from None


def job_of_upload(*, user: User, kind: str, token: str) -> Job | None:
    """The user's job of `kind` for the uploaded file `token`, if there is one."""
    return Job.objects.filter(user=user, kind=kind, params__token=token).order_by("-pk").first()


def dispatch(job: Job, send: Callable[[], object]) -> None:
    """Queue `send()` once the job row is committed; with the queue unreachable the job fails
    with that reason, so nothing is lost silently."""

    def queue() -> None:
        try:
            send()
        except Exception:  # the broker is down
            job_fail(job.pk, "任务队列暂时不可用，任务未能开始，请稍后重试。")

    transaction.on_commit(queue)


def problems_result(problems: list[CellProblem], title: str) -> tuple[dict, str]:
    """A refused file's result for its page (count and the first problems) and the name of the
    workbook listing every problem (in the storage, under jobs/), to be the job's file."""
    name = workbook_store(lambda path: write_workbook(path, [_problems_sheet(problems, title)]))
    shown = [[p.row, p.column, p.message] for p in problems[:SHOWN_PROBLEMS]]
    return {"ok": False, "problem_count": len(problems), "problems": shown}, name


def workbook_store(write: Callable[[str], object]) -> str:
    """Have `write(path)` write a workbook to a local temporary file (the writer streams rows to
    a path, whatever the size), then save it to the storage as jobs/<random>.xlsx; its name.
    When `write` raises, nothing is stored and the temporary file is gone."""
    with tempfile.TemporaryDirectory(prefix="job-") as folder:
        path = Path(folder) / "workbook.xlsx"
        write(str(path))
        with path.open("rb") as handle:
            return store(f"jobs/{uuid.uuid4().hex}.xlsx", File(handle))


def _problems_sheet(problems: Iterable[CellProblem], title: str) -> Sheet:
    rows = ([p.row, p.column, p.message] for p in problems)
    headers = ["行号", "列", "错误说明"]
    return Sheet(name="错误报告", title=title, headers=headers, rows=rows, widths={0: 8, 1: 14, 2: 80})


def old_files_remove(*, older_than: dt.datetime) -> int:
    """Delete the files of jobs finished before `older_than` from the storage (exports and error
    workbooks hold names and ID numbers; settings.JOB_FILE_DAYS), and forget them: the job stays
    in the list, its download answers that the file is gone. Returns how many."""
    old = Job.objects.filter(finished_at__lt=older_than).exclude(file="")
    removed = 0
    for job in old.only("pk", "file").iterator():
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="", message="结果文件已超过保存期限，已删除")
        removed += 1
    return removed
