from __future__ import annotations

from typing import Any

import pytest

from coopgov.apps.accounts.models import User
from coopgov.apps.budgets.demo import ORG_SLUG, load_demo_budgets
from coopgov.apps.budgets.models import Phase, Process
from coopgov.apps.orgs.services import do_create_organisation


@pytest.mark.django_db
def test_demo_budgets(client: Any) -> None:
    User.objects.create_superuser("admin@example.org", "correct horse battery")
    org = do_create_organisation(
        actor=None,
        name="Exeter Police Participatory Budgeting Unit",
        kind="police-pb-unit",
        legal_form="unincorporated-association",
        ownership_model="public",
        sectors=["policing"],
    )
    assert org.slug == ORG_SLUG
    assert load_demo_budgets() == {"processes": 2}
    assert load_demo_budgets() == {"processes": 0}  # idempotent
    done = Process.objects.get(title="Exeter Safer Streets Fund 2026")
    assert done.phase == Phase.DELIVERY and done.ideas.filter(funded=True).exists()
    html = client.get(f"/budgets/{done.slug}/results/").content.decode()
    assert "Exeter Central" in html and "Exeter East" in html
    assert client.get("/budgets/").status_code == 200


@pytest.mark.django_db
def test_site_demo_includes_the_budgets() -> None:
    from coopgov.apps.site.demo import load_demo

    load_demo(trust_members=30)
    assert Process.objects.filter(organisation__slug=ORG_SLUG).count() == 2
