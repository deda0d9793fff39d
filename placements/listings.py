"""The placement lists' export columns and sort options (see common.listing)."""

from common.idcard import mask_id_number
from common.listing import Listing, Sort

from . import selectors

APPLICATIONS = Listing(
    name="applications",
    title="岗位申请",
    query=selectors.applications,
    filters=("step", "q", "township", "line"),
    columns=[
        ("姓名", lambda a: a.person.name),
        ("身份证号", lambda a: mask_id_number(a.person.id_number)),
        ("乡镇（街道）", lambda a: a.township.name),
        ("村（社区）", lambda a: a.post.village.name),
        ("岗位编号", lambda a: a.post.code),
        ("城乡", lambda a: a.get_line_display()),
        ("当前环节", lambda a: a.get_step_display()),
        ("报名日期", lambda a: a.applied_on),
    ],
    sorts={"applied": Sort("报名先后", ("township_id", "created_at", "id"))},  # application_newest_idx
    default="-applied",
)

PLACEMENTS = Listing(
    name="placements",
    title="在岗人员",
    query=selectors.placements,
    filters=("status", "q", "township", "line"),
    columns=[
        ("姓名", lambda p: p.person.name),
        ("身份证号", lambda p: mask_id_number(p.person.id_number)),
        ("乡镇（街道）", lambda p: p.township.name),
        ("村（社区）", lambda p: p.person.village.name),
        ("岗位编号", lambda p: p.post.code),
        ("城乡", lambda p: p.get_line_display()),
        ("上岗日期", lambda p: p.on_post_date),
        ("离岗日期", lambda p: p.exit_date),
        ("退出原因", lambda p: p.get_exit_reason_display()),
    ],
    sorts={"on_post": Sort("上岗日期", ("township_id", "on_post_date", "id"))},  # placement_start_idx
    default="on_post",
)
