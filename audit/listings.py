"""The county audit log as a list (common.listing): page, download and background export."""

from common.listing import Listing, Sort
from townships.models import Role

from . import selectors

ENTRIES = Listing(
    name="audit",
    title="审计日志",
    query=selectors.county_entries,
    filters=("township", "kind", "action", "who", "since", "until"),
    columns=[
        ("时间", lambda r: r.when.astimezone().strftime("%Y-%m-%d %H:%M:%S")),
        ("操作人", lambda r: r.who),
        ("途径", lambda r: r.via),
        ("IP地址", lambda r: r.entry.remote_addr or ""),
        ("操作", lambda r: r.action),
        ("对象类型", lambda r: r.kind),
        ("对象", lambda r: r.name),
        ("乡镇（街道）", lambda r: r.township),
        ("变更内容（前 → 后）", lambda r: r.changes_text),
    ],
    # the (county, -timestamp, -id) index: newest first, or the other way round
    sorts={"time": Sort("时间", ("-timestamp", "-id"))},
    default="time",
    prepare=selectors.entry_rows,
    roles=(Role.AUDITOR, Role.COUNTY_ADMIN),
)
