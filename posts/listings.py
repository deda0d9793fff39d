"""The post list's export columns and sort options (see common.listing)."""

from common.listing import Listing, Sort

from . import selectors

POSTS = Listing(
    name="posts",
    title="岗位",
    query=selectors.post_list,
    filters=("q", "township", "line", "status"),
    columns=[
        ("岗位编号", lambda p: p.code),
        ("开发年度", lambda p: p.year),
        ("乡镇（街道）", lambda p: p.township.name),
        ("用人单位", lambda p: p.village.name),
        ("城乡", lambda p: p.get_line_display()),
        ("岗位类别", lambda p: p.duty.category.name),
        ("岗位职责", lambda p: p.duty.name),
        ("性质", lambda p: p.get_kind_display()),
        ("状态", lambda p: p.get_status_display()),
    ],
    sorts={"code": Sort("岗位编号", ("code",))},  # the unique index of the code
    default="code",
)
