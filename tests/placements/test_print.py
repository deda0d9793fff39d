"""The placement documents as files: the agreement and the publicity list as PDFs of their
printed pages (name, ID, amounts in the text), a 打印 button on each, other townships get 404."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from placements.models import Application


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def signed(recruiting) -> Application:
    (application,) = recruiting.to_approved(1)
    recruiting.to_placed(application)
    application.refresh_from_db()
    return application


def test_the_agreement_pdf_carries_the_person_the_pay_and_the_term(recruiting, signed) -> None:
    response = recruiting.cast.client(recruiting.cast.clerk).get(
        reverse("placements:agreement-pdf", args=[signed.pk, 1])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="agreement-371502101-{signed.pk}-1.pdf"'
    assert response.content.startswith(b"%PDF")
    text = _text(response)
    assert signed.person.name in text and signed.person.id_number in text
    assert "每月 680.00 元" in text and "2022年4月1日至2023年3月31日" in text
    assert "东昌府区城乡公益性岗位协议书" in text and "乙方（签字）" in text
    assert "打印" not in text and "下载 PDF" not in text  # the toolbar is for the screen only


def test_the_publicity_pdf_lists_names_with_masked_ids(recruiting, signed) -> None:
    response = recruiting.cast.client(recruiting.cast.hr).get(
        reverse("placements:publicity-pdf", args=[signed.publicity_id])
    )
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = _text(response)
    number = signed.person.id_number
    assert signed.person.name in text and f"{number[:6]}********{number[-4:]}" in text
    assert number not in text and "拟安置人员公示" in text


def test_the_printed_pages_offer_print_and_pdf(recruiting, signed) -> None:
    client = recruiting.cast.client(recruiting.cast.clerk)
    agreement = client.get(reverse("placements:agreement-print", args=[signed.pk, 1])).content.decode()
    assert "data-print" in agreement and "js/print.js" in agreement
    assert reverse("placements:agreement-pdf", args=[signed.pk, 1]) in agreement
    listing = client.get(reverse("placements:publicity-print", args=[signed.publicity_id])).content.decode()
    assert (
        "data-print" in listing and reverse("placements:publicity-pdf", args=[signed.publicity_id]) in listing
    )


@pytest.mark.parametrize("who", ["other_clerk", "clerk_other_county", "hr_other_county", "nobody"])
def test_other_scopes_get_404_for_the_pdfs(recruiting, signed, who) -> None:
    client = recruiting.cast.client(getattr(recruiting.cast, who))
    assert client.get(reverse("placements:agreement-pdf", args=[signed.pk, 1])).status_code == 404
    assert client.get(reverse("placements:publicity-pdf", args=[signed.publicity_id])).status_code == 404


def test_an_agreement_that_does_not_exist_is_not_found(recruiting, signed) -> None:
    client = recruiting.cast.client(recruiting.cast.clerk)
    assert client.get(reverse("placements:agreement-pdf", args=[signed.pk, 2])).status_code == 404
