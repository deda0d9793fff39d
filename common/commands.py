"""What the commands share: a county named by its code, a sheet opened, listing every problem by
row and column, then failing."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO

from django.core.management.base import BaseCommand, CommandError

from .sheets import CellProblem

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from townships.models import County


def fail_with_problems(command: BaseCommand, problems: Iterable[CellProblem]) -> None:
    """Write each problem to stderr as 第N行「列」：说明, then stop with a non-zero exit."""
    problems = list(problems)
    for problem in problems:
        where = f"第{problem.row}行" + (f"「{problem.column}」" if problem.column else "")
        command.stderr.write(f"{where}：{problem.message}")
    raise CommandError(f"共 {len(problems)} 处错误，未导入任何数据。")


def county_by_code(code: str) -> "County":
    """The county of that code, or the command stops: 没有代码为 … 的区县。"""

    from townships.models import County

    found = County.objects.filter(code=code).first()
    if found is None:
        raise CommandError(f"没有代码为 {code} 的区县。")
    return found


@contextmanager
def sheet_opened(path: str) -> Iterator[BinaryIO]:
    """The file opened for reading; a file that cannot be opened or read stops the command with
    无法打开文件 … and the system's reason."""
    try:
        with open(path, "rb") as source:
            yield source
    except OSError as exc:
        raise CommandError(f"无法打开文件 {path}：{exc.strerror}") from exc


def command_actor(username: str) -> "User":
    """Who a command records as the one who acted: the named user (one not found stops the
    command), else the first superuser, else an inactive user `system` (made once)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if username:
        named = users.filter(username=username).first()
        if named is None:
            raise CommandError(f"没有用户名为 {username} 的用户。")
        return named
    return (
        users.filter(is_superuser=True).first()
        or users.get_or_create(username="system", defaults={"is_active": False})[0]
    )
