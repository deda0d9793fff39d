"""The recruitment announcement as a printed notice and as a PDF; other counties get 404."""

import datetime as dt
import io

from django.urls import reverse
from pypdf import PdfReader

from posts.models import Duty
from posts.services import announcement_publish, post_create
from townships.models import Township


def _announcement(cast):
    township = Township.objects.get(code="371502101")
    post = post_create(
        township=township,
        village=township.villages.first(),
        line="rural",
        year=2022,
        duty=Duty.objects.filter(line="rural").first(),
    )
    return announcement_publish(
        county=township.county,
        title="沙镇镇2022年乡村公益性岗位招聘公告",
        deadline=dt.date(2022, 3, 10),
        posts=[post],
        actor=cast.hr,
        on=dt.date(2022, 2, 21),
    ), post


def test_the_announcement_pdf_is_the_notice_with_its_posts(cast) -> None:
    announcement, post = _announcement(cast)
    response = cast.client(cast.clerk).get(reverse("posts:announcement-pdf", args=[announcement.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "沙镇镇2022年乡村公益性岗位招聘公告" in text and post.code in text
    assert "报名截止日期：2022年3月10日" in text and "东昌府区人力资源和社会保障局" in text


def test_the_notice_page_offers_print_and_pdf(cast) -> None:
    announcement, _ = _announcement(cast)
    page = (
        cast.client(cast.hr)
        .get(reverse("posts:announcement-detail", args=[announcement.pk]))
        .content.decode()
    )
    assert "data-print" in page and reverse("posts:announcement-pdf", args=[announcement.pk]) in page


def test_another_county_gets_404(cast) -> None:
    announcement, _ = _announcement(cast)
    for who in (cast.hr_other_county, cast.clerk_other_county, cast.nobody):
        url = reverse("posts:announcement-pdf", args=[announcement.pk])
        assert cast.client(who).get(url).status_code == 404
