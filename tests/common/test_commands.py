"""The commands' shared helpers (common/commands.py), through a command a user runs."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from common.commands import command_actor, county_by_code


def test_a_file_that_cannot_be_opened_stops_the_command_with_the_reason(tmp_path, db) -> None:
    missing = tmp_path / "没有这个文件.xlsx"
    with pytest.raises(CommandError, match=r"无法打开文件 .*没有这个文件\.xlsx：No such file or directory"):
        call_command("load_calendar", str(missing))


def test_a_directory_given_as_the_file_is_refused_the_same_way(tmp_path, db) -> None:
    with pytest.raises(CommandError, match="无法打开文件"):
        call_command("load_calendar", str(tmp_path))


def test_a_county_code_unknown_stops_the_command(db) -> None:
    with pytest.raises(CommandError, match="没有代码为 000000 的区县"):
        county_by_code("000000")


def test_the_actor_is_the_named_user_never_another_else_a_superuser_else_an_inactive_system_user(db) -> None:
    named = User.objects.create_user("clerk_x")
    assert command_actor("clerk_x") == named
    admin = User.objects.filter(is_superuser=True).first()  # the cast's county administrator
    assert admin is not None and command_actor("") == admin
    User.objects.filter(is_superuser=True).update(is_superuser=False)
    system = command_actor("")
    assert (system.username, system.is_active) == ("system", False)
    assert command_actor("") == system  # made once
    with pytest.raises(CommandError, match="没有用户名为 no_such_user 的用户"):
        command_actor("no_such_user")


def test_an_unknown_user_given_to_an_import_stops_it_before_reading_the_file(tmp_path, db) -> None:
    with pytest.raises(CommandError, match="没有用户名为 no_such_user 的用户"):
        call_command(
            "import_attendance", str(tmp_path / "x.xlsx"), "--month", "2022-03", "--user", "no_such_user"
        )
