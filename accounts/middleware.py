"""A user whose password was given to them (a new user, or reset by the county administrator)
goes to the password page until they choose their own. The login writes the mark into the
session (accounts.views.Login), so that no other request reads the database for it; resetting a
password ends the user's open sessions, so the mark cannot be missing from one that needs it."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

MUST_CHANGE = "must_change_password"


class PasswordChangeRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(MUST_CHANGE) and request.user.is_authenticated and not _allowed(request.path):
            messages.warning(request, "您的密码由管理员设置，请先设置一个只有您自己知道的新密码。")
            return redirect("accounts:password-change")
        return self.get_response(request)


def _allowed(path: str) -> bool:
    return path in (reverse("accounts:password-change"), reverse("logout"))
