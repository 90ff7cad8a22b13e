from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_api_lists_providers_and_the_comparison(client, imported):
    from coopgov.apps.providers.models import Provider

    data = client.get("/api/providers/", {"model": "cooperative"}).json()
    assert data["count"] == Provider.objects.filter(model="cooperative").count() > 0
    assert {p["ownership_model"] for p in data["results"]} == {"cooperative"}
    pid = data["results"][0]["cqc_provider_id"]
    detail = client.get(f"/api/providers/{pid}").json()
    assert detail["rule"] == "REGISTERED_SOCIETY" and detail["classification"]["evidence"]
    assert client.get("/api/providers/1-0").status_code == 404
    page = client.get("/providers/compare/", {"key_question": "Safe"}).context["result"]
    api = client.get("/api/providers/compare", {"key_question": "Safe"}).json()
    assert api["shares"] == page.published and api["units"] == page.units
    assert {r["term"] for r in api["regression"]} == {o.term for o in page.regression.odds_ratios}
