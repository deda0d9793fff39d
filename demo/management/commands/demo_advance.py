from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from audit.commands import AuditedCommand
from demo.advance import demo_advance
from demo.walk import walk


class Command(AuditedCommand):
    help = "演示专用：把演示轮次的日期前移到公示期满之后（生产环境拒绝运行；docs/policy.md §5.11）"

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        try:
            done = demo_advance(today=today)
        except (ImproperlyConfigured, ValidationError) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message) from exc
        publicity = done.publicity
        period = f"{publicity.start_date}至{publicity.end_date}"
        if done.weeks:
            self.stdout.write(f"已将演示轮次前移{done.weeks}周：公示期{period}，已期满。")
        else:
            self.stdout.write(f"演示公示期{period}已期满，无需前移。")
        after = [step for step in walk(today) if step.key == "approve"]
        self.stdout.write(f"下一步：{after[0].user} 在 {after[0].where} {after[0].what}")
