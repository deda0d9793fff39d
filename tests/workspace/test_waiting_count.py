"""HR's landing count 公示期满待区级审批 counts only publicities that have ended, by the rule the
approval applies (placements.dates.publicity_ended)."""

import re

from django.urls import reverse
from django.utils import timezone

from placements import services
from placements.models import Application, Publicity


def waiting(page: str) -> int:
    found = re.search(r'<span class="tile-count">(\d+)</span><span>公示期满待区级审批</span>', page)
    assert found, "no 公示期满待区级审批 tile"
    return int(found.group(1))


def test_the_count_leaves_out_publicities_still_running(recruiting) -> None:
    ended, running = recruiting.apply(2)
    recruiting.review([ended, running])
    recruiting.publicize([ended])  # 2022-03-07 to 2022-03-11: over
    recruiting.publicize([running])
    # the second publicity still runs today (its last day is today): set directly, as a publicity
    # entered today would be, without depending on this year's holiday calendar
    Publicity.objects.filter(applications=running).update(end_date=timezone.localdate())
    client = recruiting.cast.client(recruiting.cast.hr)
    assert waiting(client.get(reverse("home")).content.decode()) == 1
    # and the count is what HR can approve today: the running one is refused
    result = services.approve(
        applications=list(Application.objects.filter(pk__in=[ended.pk, running.pk])),
        actor=recruiting.cast.hr,
        on=timezone.localdate(),
    )
    assert [a.pk for a in result.approved] == [ended.pk]
    assert "尚未期满" in result.refused[0][1]
