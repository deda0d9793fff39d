"""Sortable column headers and the export link of a list page (see common.listing)."""

from django import template
from django.utils.html import format_html

from common.idcard import mask_id_number
from common.listing import query_string
from common.search import revealed

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context: template.Context, key: str, label: str, css: str = "") -> str:
    """A column header that sorts the list by `key`, and the other way when clicked again."""
    params = context.get("params", {})
    current = params.get("sort", "")  # type: ignore[union-attr]  # the list views put their params in the context
    if current == key:
        following, aria, arrow = f"-{key}", "ascending", " ▲"
    elif current == f"-{key}":
        following, aria, arrow = key, "descending", " ▼"
    else:
        following, aria, arrow = key, "none", ""
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="?{}">{}{}</a></th>',
        css,
        aria,
        query_string(params, sort=following, page=""),  # type: ignore[arg-type]  # the list views put their params in the context
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def export_href(context: template.Context) -> str:
    """This list, as it is filtered and sorted, as an .xlsx download."""
    return "?" + query_string(context.get("params", {}), export="xlsx", page="")  # type: ignore[arg-type]  # the list views put their params in the context


@register.filter(name="revealed")
def revealed_filter(value: str) -> str:
    """A list's search as typed (common.search: a number travels as a session token)."""
    return revealed(value or "")


@register.filter
def masked(number: str) -> str:
    """An ID number with its middle hidden (common.idcard.mask_id_number)."""
    return mask_id_number(number or "")
