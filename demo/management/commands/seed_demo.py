from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from audit.commands import AuditedCommand
from demo.seed import (
    demo_users_check,
    seed_demo_assessment,
    seed_demo_round,
    seed_demo_users,
    seed_reference_data,
)
from demo.walk import walk_lines


class Command(AuditedCommand):
    help = "载入两个区县的组织、2022年计划、岗位目录、演示村（社区）和各角色演示用户（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo12345", help="演示用户的密码（默认 demo12345）")
        parser.add_argument("--no-users", action="store_true", help="只载入参考数据，不建演示用户")

    def handle(self, *args: object, password: str, no_users: bool, **options: object) -> None:
        if not no_users:  # refused before anything is written (the plans' quotas included)
            try:
                demo_users_check()
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
        counties = seed_reference_data()
        self.stdout.write(f"已载入 {len(counties)} 个区县的组织、2022年计划和岗位目录。")
        if no_users:
            return
        users = seed_demo_users(password=password)
        if seed_demo_assessment():
            self.stdout.write(
                "已为各区县建立示例绩效考核办法和绩效奖励办法（示例数据，请按本区县文件修改）。"
            )
        today = timezone.localdate()
        if seed_demo_round(today=today):
            self.stdout.write(
                "已在沙镇镇开设3个乡村岗位并发布招聘公告，登记3名演示申请人（clerk_371502101 可办理）。"
            )
        self.stdout.write(f"演示用户（密码：{password}）：")
        for username, role, scope in users:
            self.stdout.write(f"  {username:<18} {role:<10} {scope}")
        for line in walk_lines(today, password):
            self.stdout.write(line)
