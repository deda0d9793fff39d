"""Department roster spreadsheets: 身份证号 (required) and 姓名 (optional) per row, imported
through the one pipeline (common.imports)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, cast

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from common import imports
from common.forms import short_name
from common.idcard import IdNumberError, parse_id_number
from common.sheets import CellProblem
from townships.models import County

from .models import GROUP_ROSTER, GroupClaim, Roster, RosterEntry
from .services import roster_import

NAME_MAX = cast(int, RosterEntry._meta.get_field("name").max_length)  # set on the model


@dataclass
class RosterReport:
    roster: Roster | None = None
    problems: list[CellProblem] = field(default_factory=list)


@dataclass
class Entry:
    row: int
    id_number: str
    name: str


class RosterImporter(imports.Importer[Entry]):
    """A department's roster: every row a valid ID number, once; the name as the file gives it."""

    required = ["身份证号"]
    optional = ["姓名", "序号", "备注"]

    def __init__(
        self, *, county: County, kind: str, roster_date: dt.date, file_name: str, actor: User | None
    ) -> None:
        self.county, self.kind, self.roster_date = county, kind, roster_date
        self.file_name, self.actor = short_name(file_name), actor
        self.seen: dict[str, int] = {}
        self.roster: Roster | None = None

    def row(self, cells: imports.Cells) -> Entry | None:
        try:
            number = parse_id_number(cells["身份证号"]).number
        except IdNumberError as exc:
            cells.problem("身份证号", str(exc))
            return None
        if number in self.seen:
            cells.problem("身份证号", f"与第{self.seen[number]}行重复")
            return None
        name = cells["姓名"]
        if len(name) > NAME_MAX:
            cells.problem("姓名", f"姓名不能超过{NAME_MAX}个字")
            return None
        self.seen[number] = cells.number
        return Entry(cells.number, number, name)

    def write(self, rows: list[Entry]) -> None:
        self.roster = roster_import(
            county=self.county,
            kind=self.kind,
            roster_date=self.roster_date,
            file_name=self.file_name,
            actor=self.actor,
            entries=[(entry.id_number, entry.name) for entry in rows],
        )


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
    importer = RosterImporter(
        county=county, kind=kind, roster_date=roster_date, file_name=file_name, actor=actor
    )
    checked = imports.run(importer, source, dry_run=False)
    return RosterReport(roster=importer.roster, problems=checked.problems)


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
