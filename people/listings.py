"""The people list: its rows as the page shows them, its sort options and export columns."""

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse

from common.idcard import mask_id_number
from common.listing import Listing, Sort
from townships.models import Line

from . import selectors
from .eligibility import GROUP_LABELS, RuleBook, eligibility_check
from .models import GroupClaim, Person

STATUS_LABELS = dict(GroupClaim.Status.choices)


def person_rows(people: Iterable[Person]) -> list[dict]:
    """What each row of the people list shows, as plain values (fast to render): masked ID,
    claims with their verification, and today's eligibility for each line."""
    book = RuleBook(dt.date.today())
    detail = reverse("people:person-detail", args=[0])[:-2]
    rows = []
    for person in people:
        county = person.township.county
        verdicts = [
            (label, eligibility_check(person=person, line=line, county=county, on=book.on, book=book))
            for line, label in Line.choices
        ]
        rows.append(
            {
                "url": f"{detail}{person.pk}/",
                "name": person.name,
                "masked_id": mask_id_number(person.id_number),
                "township": person.township.name,
                "village": person.village.name,
                "flagged": person.on_death_roster or person.on_pension_roster,
                "claims": [
                    (c.status, GROUP_LABELS[c.group], STATUS_LABELS[c.status]) for c in person.claims.all()
                ],
                "eligible": [label for label, verdict in verdicts if verdict.eligible],
                "why_not": "；".join(r.message for _, v in verdicts for r in v.reasons[:1]),
            }
        )
    return rows


def _claims_text(row: dict) -> str:
    return "、".join(f"{group}（{label}）" for _, group, label in row["claims"])


PEOPLE = Listing(
    name="people",
    title="人员名单",
    query=selectors.person_list,
    filters=("q", "group", "township", "status", "flag"),
    columns=[
        ("姓名", lambda r: r["name"]),
        ("身份证号", lambda r: r["masked_id"]),
        ("乡镇（街道）", lambda r: r["township"]),
        ("村（社区）", lambda r: r["village"]),
        ("人员类别（核验状态）", _claims_text),
        ("名单提示", lambda r: "是" if r["flagged"] else ""),
        ("今日可安置岗位", lambda r: "、".join(r["eligible"]) or "不符合"),
        ("不符合原因", lambda r: "" if r["eligible"] else r["why_not"]),
    ],
    # Each order is an index range: (township, name, id) and the primary key. Not the ID number:
    # its order groups people by birthplace, so a county's first page may lie past another's people.
    sorts={
        "name": Sort("乡镇、姓名", ("township_id", "name", "id")),
        "registered": Sort("登记先后", ("id",)),
    },
    default="name",
    prepare=lambda people: person_rows(people),
)
