"""Logging in, changing one's own password, and the county administrator's users page."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from common.imports import Checked, template_response
from townships.access import require_role
from townships.models import Role

from . import selectors, services, user_import
from .forms import UserCreateForm, UsersUploadForm, VillageUserForm
from .middleware import MUST_CHANGE


class Login(LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if services.must_change_password(self.request.user):  # type: ignore[arg-type]
            self.request.session[MUST_CHANGE] = True
        return response


class PasswordChange(PasswordChangeView):
    """Old password, then the new one twice, against the rules in force (Django's form)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        password = form.cleaned_data["new_password1"]
        services.password_change(user=self.request.user, new_password=password)  # type: ignore[arg-type]
        update_session_auth_hash(self.request, form.user)  # stay logged in here, other sessions end
        self.request.session.pop(MUST_CHANGE, None)
        messages.success(self.request, "密码已修改。下次登录请使用新密码。")
        return redirect(self.success_url)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    users = selectors.managed_users(request.user)
    return render(request, "accounts/user_list.html", {"users": users})


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    form = UserCreateForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = services.NewUser(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["new_password1"],
            role=form.cleaned_data["role"],
            county=form.cleaned_data["county"],
            township=form.cleaned_data["township"],
        )
        try:
            user = services.user_create(data=data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已新建用户 {user.username}，首次登录时须修改初始密码。")
            return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form})


@login_required
def users_load(request: HttpRequest) -> HttpResponse:
    """A county's users from a sheet (docs/policy.md §1.8): preview, then all made or none; the
    one-time passwords are shown on this answer only (never stored in clear, never cached)."""
    require_role(request.user, Role.COUNTY_ADMIN)
    form = UsersUploadForm(request.user, request.POST or None, request.FILES or None)
    checked: Checked | None = None
    made: list[user_import.MadeUser] = []
    if request.method == "POST" and form.is_valid():
        checked, made = user_import.users_import(
            county=form.cleaned_data["county"],
            source=form.cleaned_data["file"],
            dry_run=form.cleaned_data["commit"] != "1",
        )
    columns = [*user_import.USER_COLUMNS, *user_import.USER_OPTIONAL]
    preview = checked.preview(columns) if checked else []
    context = {"form": form, "checked": checked, "made": made, "columns": columns, "preview": preview}
    response = render(request, "accounts/users_load.html", context)
    add_never_cache_headers(response)
    return response


@login_required
def users_template(request: HttpRequest) -> FileResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    notes = [
        "第一行为列标题，请勿修改；从第二行起每行一个用户。",
        "角色填：人社局工作人员、财政工作人员、审计（只读）、乡镇经办人、村（社区）协管员。",
        "人社局、财政、审计是全区县的角色，不填乡镇（街道）和村（社区）。",
        "乡镇经办人填本区县的9位乡镇（街道）代码。",
        "村（社区）协管员填12位村（社区）代码，或乡镇（街道）代码和村（社区）名称。",
        "导入后每个用户得到一个一次性初始密码，只显示一次，首次登录时须修改。",
    ]
    return template_response(
        user_import.UserImporter, name="用户", filename="users-template.xlsx", notes=notes
    )


@login_required
def user_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.COUNTY_ADMIN)
    user = selectors.get_resettable_user_or_404(request.user, pk)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset(user=user, new_password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已重置 {user.username} 的密码，该用户下次登录时须修改密码。")
            return redirect("accounts:user-list")
    return render(request, "accounts/password_reset.html", {"form": form, "managed": user})


@login_required
def village_users(request: HttpRequest) -> HttpResponse:
    """A clerk's village users (村（社区）协管员, docs/policy.md §1.2): the list, and a new one for a
    village of the township, whose one-time password is shown once to hand over."""
    require_role(request.user, Role.CLERK)
    form = VillageUserForm(request.user, request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.village_user_create(
                actor=request.user,  # type: ignore[arg-type]  # login_required: a signed-in User
                village=form.cleaned_data["village"],
                username=form.cleaned_data["username"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            made = (user.username, password)
            form = VillageUserForm(request.user)
    users = selectors.village_users(request.user)
    return render(request, "accounts/village_users.html", {"form": form, "users": users, "made": made})


@login_required
@require_POST
def village_user_stop(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.CLERK)
    user = get_object_or_404(selectors.village_users(request.user), pk=pk)
    try:
        services.village_user_deactivate(actor=request.user, user=user)  # type: ignore[arg-type]  # login_required
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已停用 {user.username}，该用户不能再登录。")
    return redirect("accounts:village-users")


def _add_errors(form: Form, error: ValidationError) -> None:
    """A service's refusal on the form: by field when it names one, else the password's."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error("new_password1", error.messages)
