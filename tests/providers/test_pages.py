"""Directory, provider page, comparison page and downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from coopgov import ownership as own
from coopgov.apps.providers import comparison
from coopgov.apps.providers.models import Location, Provider
from coopgov.apps.providers.services import do_override_provider_model

from .test_import import core_classes

pytestmark = pytest.mark.django_db


def core_records(demo_files):
    paths, pe = demo_files
    locs = own.merge_locations(own.read_cqc_directory(paths[0]))
    return own.records_from_locations(locs, core_classes(paths, pe))


# ----------------------------------------------------------------------------------- directory


def test_directory_lists_locations_with_model_and_rating(client, imported, django_assert_max_num_queries):
    url = reverse("providers:directory")
    with django_assert_max_num_queries(8):
        r = client.get(url)
    assert r.status_code == 200
    page = r.context["page"]
    assert page.paginator.count == Location.objects.count()
    first = page.object_list[0]
    html = r.content.decode()
    assert first.name in html and first.provider.model_label in html
    # the query count does not grow with the page or the filters
    with django_assert_max_num_queries(8):
        r = client.get(url, {"page": 3, "model": "for_profit", "region": "London"})
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"model": "cooperative"}, lambda loc: loc.provider.model == "cooperative"),
        ({"model": "nhs"}, lambda loc: loc.provider.model == "nhs"),
        ({"region": "North East"}, lambda loc: loc.region == "North East"),
        (
            {"service_type": "Domiciliary care service"},
            lambda loc: loc.primary_service_type == "Domiciliary care service",
        ),
        ({"rating": "Inadequate"}, lambda loc: loc.rating_overall == "Inadequate"),
        ({"rating": "none"}, lambda loc: loc.rating_overall == ""),
        ({"flag": "chain"}, lambda loc: loc.provider.chain),
        ({"flag": "private_equity"}, lambda loc: loc.provider.private_equity),
        ({"flag": "needs_review"}, lambda loc: loc.provider.needs_review),
    ],
)
def test_directory_filters(client, imported, params, check):
    r = client.get(reverse("providers:directory"), {**params, "page": 1})
    page = r.context["page"]
    expected = [loc for loc in Location.objects.select_related("provider") if check(loc)]
    assert page.paginator.count == len(expected) > 0
    assert all(check(loc) for loc in page.object_list)


def test_directory_search_by_name_place_and_postcode_area(client, imported):
    loc = Location.objects.exclude(postcode="").select_related("provider").first()
    url = reverse("providers:directory")
    for q in (loc.name, loc.provider.name.upper(), loc.local_authority):
        ids = list(client.get(url, {"q": q}).context["page"].paginator.object_list)
        assert loc.pk in ids
    area = loc.postcode_area
    r = client.get(url, {"q": area.lower()})
    ids = list(r.context["page"].paginator.object_list)
    assert set(ids) >= set(Location.objects.filter(postcode_area=area).values_list("id", flat=True))
    assert r.context["page"].paginator.count >= Location.objects.filter(postcode_area=area).count() > 0


def test_unknown_filter_values_are_errors_not_crashes(client, imported):
    r = client.get(reverse("providers:directory"), {"model": "pirate", "page": "zzz"})
    assert r.status_code == 200 and r.context["filter_form"].errors


def test_directory_downloads(client, imported):
    r = client.get(reverse("providers:directory-download", args=["csv"]), {"model": "employee_owned"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    assert len(rows) == Location.objects.filter(provider__model="employee_owned").count() > 0
    assert {row["ownership_model"] for row in rows} == {"employee_owned"}
    assert rows[0]["classification_rule"] == "EMPLOYEE_OWNED_LIST"
    r = client.get(reverse("providers:directory-download", args=["json"]))
    data = json.loads(r.content)
    assert len(data["rows"]) == Location.objects.count()
    assert client.get("/providers/locations.xml", follow=True).status_code == 404


# ------------------------------------------------------------------------------- provider page


def test_provider_page_shows_evidence_rule_locations_and_conflicts(client, imported, django_assert_max_num_queries):
    p = Provider.objects.filter(automatic_rule="REGISTERED_CHARITY", needs_review=True).get()
    with django_assert_max_num_queries(6):
        r = client.get(reverse("providers:provider", args=[p.cqc_provider_id]))
    html = r.content.decode()
    assert "REGISTERED_CHARITY" in html and "Charity Commission" in html and "charity_registration_status" in html
    assert "The registers disagree" in html and "COMPANY_WITH_SHARES" in html  # the conflicting finding
    for loc in p.locations.all():
        assert loc.name in html
    assert "Change the ownership model" not in html  # not an officer
    coop = Provider.objects.filter(automatic_model="multi_stakeholder_coop").first()
    html = client.get(reverse("providers:provider", args=[coop.cqc_provider_id])).content.decode()
    assert "FCA Mutuals Public Register" in html and coop.fca_number in html
    assert client.get(reverse("providers:provider", args=["1-0"])).status_code == 404


def test_provider_json_download(client, imported, regulator):
    p = Provider.objects.filter(automatic_model="for_profit").first()
    do_override_provider_model(actor=regulator, provider=p, model="employee_owned", reason="EOT")
    data = json.loads(client.get(reverse("providers:provider-json", args=[p.cqc_provider_id])).content)
    assert data["ownership_model"] == "employee_owned"
    assert data["automatic_classification"]["model"] == "for_profit"
    assert data["override"]["reason"] == "EOT"
    assert "by" not in data["override_history"][0]  # who decided is in the audit log, not published
    assert len(data["locations"]) == p.locations.count()


# ------------------------------------------------------------------------------ comparison page


@pytest.mark.parametrize(
    ("params", "kq", "by", "narrow"),
    [
        ({}, "Overall", ("ownership",), None),
        ({"key_question": "Safe", "by": "service_type"}, "Safe", ("ownership", "service_type"), None),
        ({"key_question": "Well-led", "region": "London"}, "Well-led", ("ownership",), ("region", "London")),
        ({"by": "region"}, "Overall", ("ownership", "region"), None),
    ],
)
def test_comparison_page_equals_the_core_on_the_same_files(client, imported, demo_files, params, kq, by, narrow):
    records = core_records(demo_files)
    if narrow:
        records = [r for r in records if getattr(r, narrow[0]) == narrow[1]]
    expected_rows = own.share_table(records, key_question=kq, by=by)
    expected = own.publishable_share_rows(expected_rows, 10)
    r = client.get(reverse("providers:compare"), params)
    assert r.status_code == 200
    result = r.context["result"]
    assert result.rows == expected_rows
    assert result.published == expected
    html = r.content.decode()
    for row in expected:
        if row["good_or_outstanding_pct"]:
            assert row["good_or_outstanding_ci"] in html
    reg = own.rating_regression(records, key_question=kq)
    got = {o.term: o for o in result.regression.odds_ratios}
    assert result.regression.n == reg.n
    for o in reg.odds_ratios:
        assert got[o.term].odds_ratio == pytest.approx(o.odds_ratio, rel=1e-5)
        assert got[o.term].lower == pytest.approx(o.lower, rel=1e-5)
    # the downloads carry the same table
    d = client.get(reverse("providers:compare-download", args=["shares", "json"]), params)
    assert json.loads(d.content)["rows"] == expected
    c = client.get(reverse("providers:compare-download", args=["shares", "csv"]), params)
    assert list(csv.DictReader(io.StringIO(c.content.decode()))) == expected


def test_comparison_suppresses_small_groups(client, imported):
    r = client.get(reverse("providers:compare"))
    published = r.context["result"].published
    nhs = next(p for p in published if p["ownership"] == "Public: NHS")
    assert nhs["rated"] == "<10" and nhs["good_or_outstanding_pct"] == ""
    chart = r.context["good_chart"]
    assert "Public: NHS" not in [b["label"] for b in chart["bars"]]
    html = r.content.decode()
    assert "&lt;10" in html
    assert ' style="' not in html.split("<main", 1)[1]  # CSP: presentation attributes only
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in html


def test_regression_download_and_charts(client, imported):
    r = client.get(reverse("providers:compare-download", args=["regression", "csv"]))
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    terms = [row["term"] for row in rows]
    assert "ownership[Not-for-profit]" in terms and float(rows[0]["odds_ratio"]) > 0
    data = json.loads(client.get(reverse("providers:compare-download", args=["regression", "json"])).content)
    assert data["rows"] == rows and "warnings" in data
    svg = client.get(reverse("providers:compare-chart", args=["svg"]), {"measure": "inadequate"})
    assert svg["Content-Type"] == "image/svg+xml" and b"<desc>" in svg.content and b"Inadequate" in svg.content
    png = client.get(reverse("providers:compare-chart", args=["png"]))
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    empty = client.get(reverse("providers:compare-chart", args=["png"]), {"region": "Atlantis"})
    assert empty.status_code in (200, 404)


def test_comparison_is_cached_and_refreshed_by_an_override(client, imported, regulator, django_assert_max_num_queries):
    url = reverse("providers:compare")
    first = client.get(url).context["result"]
    with django_assert_max_num_queries(4):  # version check + filter choices: no location scan
        again = client.get(url).context["result"]
    assert again.published == first.published
    p = Provider.objects.filter(automatic_model="for_profit").order_by("id").first()
    do_override_provider_model(actor=regulator, provider=p, model="cooperative", reason="Converted to a co-op")
    after = client.get(url).context["result"]
    before_coop = next((x.rated for x in first.rows if x.label() == own.OwnershipModel.COOPERATIVE.label), 0)
    after_coop = next(x.rated for x in after.rows if x.label() == own.OwnershipModel.COOPERATIVE.label)
    rated_here = sum(1 for loc in p.locations.all() if loc.rating_overall in own.GRADES_LOW_TO_HIGH)
    assert after_coop == before_coop + rated_here


def test_register_records_match_core_records(imported, demo_files):
    core = {r.unit_id: r for r in core_records(demo_files)}
    mine = comparison.register_records()
    assert len(mine) == len(core)
    for r in mine:
        assert r == core[r.unit_id]


def test_empty_register_pages(client, db):
    assert client.get(reverse("providers:directory")).status_code == 200
    r = client.get(reverse("providers:compare"))
    assert r.status_code == 200 and "cannot be run" in r.content.decode()
