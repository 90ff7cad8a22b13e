"""The annual report: publication, the public page, the frozen figures, and the PDF (first page
converted to an image to check it renders)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from coopgov.apps.engagement import pdf, services
from coopgov.apps.orgs.models import Organisation

from .conftest import add_member

D = datetime.date


def _org_with_report(org: Organisation) -> int:
    for i in range(30):
        add_member(org, "care-workers", D(2020 + i % 4, 1, 1), sex="female" if i % 3 else "male")
    year = D.today().year - 1
    services.do_save_report(
        actor=None, organisation=org, year=year, how_we_engaged="Open meetings in every town.",
        what_changed="The rota changed.", publish=True,
    )  # fmt: skip
    return year


def test_published_figures_are_frozen(care_coop: Organisation, client: Client) -> None:
    from coopgov.apps.engagement.models import EngagementReport
    from coopgov.apps.engagement.views import report_figures

    year = _org_with_report(care_coop)
    rep = EngagementReport.objects.get(organisation=care_coop, year=year)
    rep.data = report_figures(care_coop, year)
    rep.save()
    size = rep.data["membership"]["summary"]["size"]
    add_member(care_coop, "care-workers", D(year, 6, 1))  # joins during the reported year, after publication
    r = client.get(reverse("engagement:report", args=[care_coop.slug, year]))
    assert r.context["data"]["membership"]["summary"]["size"] == size == "30"


def test_reports_index_lists_only_published_reports_to_the_public(care_coop: Organisation, client: Client) -> None:
    year = _org_with_report(care_coop)
    services.do_save_report(actor=None, organisation=care_coop, year=year - 1, how_we_engaged="x", what_changed="y")
    text = client.get(reverse("engagement:reports", args=[care_coop.slug])).content.decode()
    assert f"Engagement report {year}" in text
    assert f"Engagement report {year - 1}" not in text
    assert client.get(reverse("engagement:report", args=[care_coop.slug, year - 1])).status_code == 404


@pytest.mark.skipif(pdf.chromium_path() is None, reason="Chromium is needed to print the PDF")
def test_pdf_renders(care_coop: Organisation, client: Client) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    year = _org_with_report(care_coop)
    r = client.get(reverse("engagement:report-pdf", args=[care_coop.slug, year]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    body = r.content
    assert body.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(io.BytesIO(body))
    assert len(doc) >= 1
    page = doc[0]
    text = page.get_textpage().get_text_range()
    assert "Engagement report" in text and care_coop.name in text
    image = page.render(scale=1).to_pil().convert("L")
    width, height = image.size
    assert width > 500 and height > 700  # A4 at 72 dpi is 595 × 842
    dark = image.point(lambda v: 255 if v < 128 else 0).histogram()[255]
    assert dark > 2000  # text and chart were drawn, not a blank page
