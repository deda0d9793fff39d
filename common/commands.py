"""What the import commands share: listing every problem by row and column, then failing."""

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError

from .sheets import CellProblem


def fail_with_problems(command: BaseCommand, problems: Iterable[CellProblem]) -> None:
    """Write each problem to stderr as 第N行「列」：说明, then stop with a non-zero exit."""
    problems = list(problems)
    for problem in problems:
        where = f"第{problem.row}行" + (f"「{problem.column}」" if problem.column else "")
        command.stderr.write(f"{where}：{problem.message}")
    raise CommandError(f"共 {len(problems)} 处错误，未导入任何数据。")
