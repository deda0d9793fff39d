"""A new county's users from one sheet (docs/policy.md §1.8), through the one import pipeline
(common.imports): every row checked, a preview that writes nothing, then every user made in one
transaction or none, each with a one-time password shown once to hand over."""

from dataclasses import dataclass
from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from common import imports
from common.sheets import CellProblem, Table
from townships.models import County, Role, Township, Village

from . import services

U_NAME, U_ROLE = "用户名", "角色"
U_TOWNSHIP, U_VILLAGE_CODE, U_VILLAGE = "乡镇（街道）代码", "村（社区）代码", "村（社区）名称"
USER_COLUMNS = (U_NAME, U_ROLE)
USER_OPTIONAL = (U_TOWNSHIP, U_VILLAGE_CODE, U_VILLAGE)
# The roles a sheet gives: a county's own staff, its clerks and its village users. A county
# administrator is made by the system's administrator, agency staff with their agency (§1.5).
COUNTY_WIDE = (Role.HR, Role.FINANCE, Role.AUDITOR)
SHEET_ROLES = {
    label: value for value, label in Role.choices if value in (*COUNTY_WIDE, Role.CLERK, Role.VILLAGE)
}


@dataclass(frozen=True)
class UserRow:
    row: int
    username: str
    role: str
    township: Township | None
    village: Village | None


@dataclass(frozen=True)
class MadeUser:
    username: str
    role: str
    where: str
    password: str


class UserImporter(imports.Importer[UserRow]):
    """One user per row: a county role with no township, a clerk with a township of the county, a
    village user with a village of the county (by its 12-digit code, or its township's code and
    its name). A taken username, or one given twice in the file, is refused."""

    required = USER_COLUMNS
    optional = USER_OPTIONAL

    def __init__(self, *, county: County) -> None:
        self.county = county
        self.names: dict[str, int] = {}  # username (lower case) -> its row
        self.made: list[MadeUser] = []

    def prepare(self, table: Table) -> None:
        names = {values.get(U_NAME, "").strip().lower() for _, values in table.rows}
        # taken in any letter case (Bob for bob), one query for the whole file
        lowered = User.objects.annotate(lowered=Lower("username")).filter(lowered__in=names)
        self.taken = set(lowered.values_list("lowered", flat=True))
        self.townships = {t.code: t for t in Township.objects.filter(county=self.county)}
        villages = Village.objects.filter(township__county=self.county).select_related("township")
        self.by_code = {v.code: v for v in villages if v.code}
        self.by_name = {(v.township.code, v.name): v for v in villages}

    def row(self, cells: imports.Cells) -> UserRow | None:
        username = self._username(cells)
        label = cells.text(U_ROLE, required=True)
        if label and label not in SHEET_ROLES:
            cells.problem(U_ROLE, f"角色只能填{'、'.join(SHEET_ROLES)}")
            return None
        role = SHEET_ROLES.get(label, "")
        if role == Role.VILLAGE:
            village = self._village(cells)
            return UserRow(cells.number, username, role, village.township, village) if village else None
        if role == Role.CLERK:
            township = self._township(cells, required=True)
            return UserRow(cells.number, username, role, township, None) if township else None
        if cells.text(U_TOWNSHIP) or cells.text(U_VILLAGE_CODE) or cells.text(U_VILLAGE):
            cells.problem(U_TOWNSHIP, f"{label}是全区县的角色，不填乡镇（街道）和村（社区）")
        return UserRow(cells.number, username, role, None, None) if role and username else None

    def _username(self, cells: imports.Cells) -> str:
        username = cells.text(U_NAME, required=True)
        if not username:
            return ""
        try:
            User.username_validator(username)
        except ValidationError:
            cells.problem(U_NAME, "用户名只能包含字母、数字、汉字和 @ . + - _")
        cells.at_most(U_NAME, 150)
        key = username.lower()
        if key in self.names:
            cells.problem(U_NAME, f"与第{self.names[key]}行的用户名重复")
        elif key in self.taken:
            cells.problem(U_NAME, f"用户名{username}已被使用")
        self.names.setdefault(key, cells.number)
        return username

    def _township(self, cells: imports.Cells, *, required: bool) -> Township | None:
        code = cells.text(U_TOWNSHIP, required=required)
        if not code:
            return None
        township = self.townships.get(code)
        if township is None:
            cells.problem(U_TOWNSHIP, f"{code}不是{self.county.name}的乡镇（街道）")
        return township

    def _village(self, cells: imports.Cells) -> Village | None:
        code = cells.text(U_VILLAGE_CODE)
        if code:
            village = self.by_code.get(code)
            if village is None:
                cells.problem(U_VILLAGE_CODE, f"{code}不是{self.county.name}的村（社区）代码")
            return village
        township = self._township(cells, required=True)
        name = cells.text(U_VILLAGE)
        if township is None:
            return None
        if not name:
            cells.problem(U_VILLAGE, "村（社区）协管员须填村（社区）代码，或乡镇（街道）代码和村（社区）名称")
            return None
        village = self.by_name.get((township.code, name))
        if village is None:
            cells.problem(U_VILLAGE, f"{township.name}没有{name}")
        return village

    def write(self, rows: list[UserRow]) -> None:
        labels = dict(Role.choices)
        for row in rows:
            try:
                user, password = services.user_with_one_time_password(
                    username=row.username,
                    role=row.role,
                    county=None if row.role == Role.VILLAGE else self.county,
                    township=row.township,
                    village=row.village,
                )
            except ValidationError as exc:  # taken meanwhile (a race)
                raise imports.RowsRefused([CellProblem(row.row, U_NAME, "；".join(exc.messages))]) from exc
            where = row.village or row.township or self.county
            self.made.append(MadeUser(user.username, str(labels[row.role]), str(where), password))


def users_import(
    *, county: County, source: str | IO[bytes], dry_run: bool
) -> tuple[imports.Checked, list[MadeUser]]:
    """Check a county's users sheet; unless `dry_run`, make them all or none. The one-time
    passwords come back once, for the page to show; they are stored only as hashes."""
    importer = UserImporter(county=county)
    return imports.run(importer, source, dry_run=dry_run), importer.made
