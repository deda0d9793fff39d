"""The payroll-line list's export columns and sort options (see common.listing). The full
payroll workbook with ID and bank numbers is subsidies.exports; this list shows masked IDs."""

from common.idcard import mask_id_number
from common.listing import Listing, Sort
from townships.models import Role

from . import selectors

LINES = Listing(
    name="payroll_lines",
    title="补贴明细",
    query=selectors.payroll_lines,
    filters=("run", "q", "township", "line", "kind"),
    columns=[
        ("镇街", lambda line: line.township.name),
        ("村（社区）", lambda line: line.placement.post.village.name),  # the post's, as on the payroll
        ("姓名", lambda line: line.payee_name or line.placement.person.name),
        ("身份证号", lambda line: mask_id_number(line.payee_id_number or line.placement.person.id_number)),
        ("城乡", lambda line: line.get_line_display()),
        ("类型", lambda line: line.get_kind_display()),
        ("更正月份", lambda line: f"{line.corrects_month:%Y-%m}" if line.corrects_month else ""),
        ("在岗天数", lambda line: line.days_on_post),
        ("出勤天数", lambda line: line.days_attended),
        ("补贴金额", lambda line: line.pay),
        ("省级承担", lambda line: line.province),
        ("市级承担", lambda line: line.city),
        ("区级承担", lambda line: line.district),
        ("备注", lambda line: line.shown_note),
    ],
    sorts={"township": Sort("镇街", ("township_id", "id"))},  # payroll_line_run_township_idx
    default="township",
    money_columns={9, 10, 11, 12},
    roles=(Role.FINANCE, Role.HR, Role.AUDITOR, Role.COUNTY_ADMIN),  # as the run pages
)
