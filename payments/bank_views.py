"""The county's banks (docs/policy.md §9.11): the list with their aliases and layouts, a bank added
or changed on a form, and the county's banks from a sheet (preview first, then all or nothing).
County roles read; the county administrator writes (the admin site's rights, now on a page). The
county comes through the gate (townships.access): another county, or its bank, answers 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from common.imports import template_response
from townships.access import COUNTY_ROLES, AuthedRequest, get_county_or_404, has_role, require_role
from townships.forms import MODES
from townships.models import County, Role

from . import bank_sheet
from .bank_entry import aliases_split, bank_save, layout_names
from .models import Bank

WRITERS = (Role.COUNTY_ADMIN,)


class BankForm(forms.Form):
    name = forms.CharField(label="银行名称", max_length=60)
    aliases = forms.CharField(
        label="别名",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="人员开户银行中可能出现的其他写法，每行一个（或用顿号、逗号分隔）",
    )
    layout = forms.ChoiceField(label="代发文件格式")

    def __init__(self, layouts: list[str], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["layout"].choices = [(name, name) for name in layouts]  # type: ignore[attr-defined]


class BankUploadForm(forms.Form):
    file = forms.FileField(label="代发银行表格（.xlsx 或 .xls）")
    commit = forms.ChoiceField(label="操作", choices=MODES, initial="0", widget=forms.RadioSelect)


def _county(request: AuthedRequest, code: str, *roles: str) -> County:
    require_role(request.user, *(roles or COUNTY_ROLES))
    return get_county_or_404(request.user, code)


@login_required
def bank_list(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code)
    context = {
        "county": county,
        "banks": Bank.objects.filter(county=county).select_related("layout").order_by("name"),
        "layouts": layout_names(county),
        "can_write": has_role(request.user, *WRITERS),
    }
    return render(request, "payments/bank_list.html", context)


def _form_page(request: AuthedRequest, county: County, bank: Bank | None) -> HttpResponse:
    initial = (
        {"name": bank.name, "aliases": "\n".join(bank.names[1:]), "layout": bank.layout.name} if bank else {}
    )
    form = BankForm(layout_names(county), request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = bank_save(
                county=county,
                name=data["name"],
                aliases=aliases_split(data["aliases"]),
                layout=data["layout"],
                bank=bank,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"已保存代发银行{saved.name}。")
            return redirect("payments:bank-list", county.code)
    heading = f"修改代发银行{bank.name}" if bank else f"新增{county.name}代发银行"
    return render(request, "payments/bank_form.html", {"county": county, "form": form, "heading": heading})


@login_required
def bank_new(request: AuthedRequest, county_code: str) -> HttpResponse:
    return _form_page(request, _county(request, county_code, *WRITERS), None)


@login_required
def bank_edit(request: AuthedRequest, county_code: str, pk: int) -> HttpResponse:
    county = _county(request, county_code, *WRITERS)
    bank = get_object_or_404(Bank.objects.select_related("layout"), county=county, pk=pk)
    return _form_page(request, county, bank)


@login_required
def bank_import(request: AuthedRequest, county_code: str) -> HttpResponse:
    county = _county(request, county_code, *WRITERS)
    form = BankUploadForm(request.POST or None, request.FILES or None)
    checked = None
    if request.method == "POST" and form.is_valid():
        checked = bank_sheet.banks_import(
            county=county, source=form.cleaned_data["file"], dry_run=form.cleaned_data["commit"] != "1"
        )
        if checked.written:
            messages.success(request, f"已导入{county.name}的代发银行{len(checked.rows)}家。")
            return redirect("payments:bank-list", county.code)
    columns = [*bank_sheet.BANK_COLUMNS, *bank_sheet.BANK_OPTIONAL]
    context = {
        "county": county,
        "form": form,
        "checked": checked,
        "columns": columns,
        "preview": checked.preview(columns) if checked else [],
        "layouts": layout_names(county),
    }
    return render(request, "payments/bank_import.html", context)


@login_required
def bank_import_template(request: AuthedRequest, county_code: str) -> FileResponse:
    county = _county(request, county_code, *WRITERS)
    notes = [*bank_sheet.NOTES, f"本区县可用的代发文件格式：{'、'.join(layout_names(county))}"]
    return template_response(
        bank_sheet.BankImporter, name="代发银行", filename="banks-template.xlsx", notes=notes
    )
