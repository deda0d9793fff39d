"""Department roster spreadsheets: 身份证号 (required) and 姓名 (optional) per row."""

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, cast

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from common.forms import short_name
from common.idcard import IdNumberError, parse_id_number
from common.sheets import CellProblem, SheetError, read_table
from townships.models import County

from .models import GROUP_ROSTER, GroupClaim, Roster, RosterEntry
from .services import roster_import

NAME_MAX = cast(int, RosterEntry._meta.get_field("name").max_length)  # set on the model


@dataclass
class RosterReport:
    roster: Roster | None = None
    problems: list[CellProblem] = field(default_factory=list)


def roster_file_import(
    *,
    county: County,
    kind: str,
    roster_date: dt.date,
    source: str | IO[bytes],
    file_name: str,
    actor: User | None,
) -> RosterReport:
    """All or nothing: every row must carry a valid ID number; duplicates are named."""
    report = RosterReport()
    try:
        table = read_table(source, required=["身份证号"], optional=["姓名", "序号", "备注"])
    except SheetError as exc:
        report.problems.append(CellProblem(1, "", str(exc)))
        return report
    report.problems.extend(table.problems)
    entries: dict[str, tuple[int, str]] = {}
    for number, values in table.rows:
        try:
            parsed = parse_id_number(values["身份证号"])
        except IdNumberError as exc:
            report.problems.append(CellProblem(number, "身份证号", str(exc)))
            continue
        if parsed.number in entries:
            report.problems.append(CellProblem(number, "身份证号", f"与第{entries[parsed.number][0]}行重复"))
            continue
        name = values.get("姓名", "")
        if len(name) > NAME_MAX:
            report.problems.append(CellProblem(number, "姓名", f"姓名不能超过{NAME_MAX}个字"))
            continue
        entries[parsed.number] = (number, name)
    if not entries and not report.problems:
        report.problems.append(CellProblem(2, "", "文件中没有数据行"))
    if report.problems:
        return report
    report.roster = roster_import(
        county=county,
        kind=kind,
        roster_date=roster_date,
        file_name=short_name(file_name),
        actor=actor,
        entries=[(n, name) for n, (_row, name) in entries.items()],
    )
    return report


def roster_match_stats(county: County) -> list[dict]:
    """Per group with a roster: claims verified, unverified, pending, decided. One query."""
    claims: QuerySet = GroupClaim.objects.filter(
        person__township__county=county, group__in=list(GROUP_ROSTER)
    )
    S = GroupClaim.Status
    return list(
        claims.values("group")
        .annotate(
            total=Count("id"),
            verified=Count("id", filter=Q(status=S.VERIFIED)),
            unverified=Count("id", filter=Q(status=S.UNVERIFIED)),
            pending=Count("id", filter=Q(status=S.PENDING)),
            decided=Count("id", filter=Q(status__in=[S.ACCEPTED, S.REJECTED])),
        )
        .order_by("group")
    )
