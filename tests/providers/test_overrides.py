"""Officer overrides: who may, what is kept, what is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coopgov.apps.accounts.models import User
from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.orgs.services import do_create_organisation, do_grant_role
from coopgov.apps.providers.models import Provider, ProviderOverride
from coopgov.apps.providers.services import do_override_provider_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(imported) -> Provider:
    p = Provider.objects.filter(automatic_model="for_profit").order_by("id").first()
    assert p is not None
    return p


@pytest.fixture
def org_officer(db) -> User:
    """An administrator of an unrelated co-op: no say over the provider register."""
    user = User.objects.create_user("officer@example.org", "correct horse battery")
    org = do_create_organisation(
        actor=None,
        name="Hilltop Care",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )
    do_grant_role(actor=None, organisation=org, user=user, role="administrator")
    return user


def test_anonymous_users_are_sent_to_sign_in(client, provider):
    r = client.get(reverse("providers:override", args=[provider.cqc_provider_id]))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))


def test_an_officer_of_an_unrelated_organisation_gets_403(client, provider, org_officer):
    client.force_login(org_officer)
    url = reverse("providers:override", args=[provider.cqc_provider_id])
    assert client.get(url).status_code == 403
    r = client.post(url, {"model": "cooperative", "reason": "I say so"})
    assert r.status_code == 403
    provider.refresh_from_db()
    assert provider.model == "for_profit" and not ProviderOverride.objects.exists()
    with pytest.raises(PermissionDenied):
        do_override_provider_model(actor=org_officer, provider=provider, model="cooperative", reason="x")


def test_a_regulator_overrides_with_a_reason_and_it_is_audited(client, provider, regulator):
    client.force_login(regulator)
    page = client.get(reverse("providers:provider", args=[provider.cqc_provider_id])).content.decode()
    assert "Change the ownership model" in page
    url = reverse("providers:override", args=[provider.cqc_provider_id])
    assert client.get(url).status_code == 200
    r = client.post(url, {"model": "employee_owned", "reason": "Employee ownership trust holds 100% since 2024"})
    assert r.status_code == 302
    provider.refresh_from_db()
    assert provider.model == "employee_owned" and provider.override_model == "employee_owned"
    assert provider.automatic_model == "for_profit" and provider.automatic_rule == "COMPANY_WITH_SHARES"
    assert provider.overridden_by == regulator and provider.overridden_at is not None
    event = AuditEvent.objects.get(action="providers.override")
    assert event.actor == regulator and event.object_id == str(provider.pk)
    assert event.before["model"] == "for_profit" and event.after["model"] == "employee_owned"
    assert "Employee ownership trust" in event.summary
    page = client.get(reverse("providers:provider", args=[provider.cqc_provider_id])).content.decode()
    assert "Ownership model: Employee-owned" in page
    assert "The automatic classification, shown below, was <strong>For-profit</strong>" in page
    assert "Employee ownership trust holds 100% since 2024" in page  # in the history table too
    # the directory and comparison use the override
    r = client.get(reverse("providers:directory"), {"model": "employee_owned", "q": provider.name})
    assert r.context["page"].paginator.count == provider.locations.count()
    r = client.get(reverse("providers:directory"), {"flag": "overridden"})
    assert r.context["page"].paginator.count == provider.locations.count()


def test_commissioner_and_superuser_can_override_and_remove(provider, commissioner):
    do_override_provider_model(actor=commissioner, provider=provider, model="cooperative", reason="Converted")
    provider.refresh_from_db()
    admin = User.objects.create_superuser("admin@example.org", "correct horse battery")
    do_override_provider_model(actor=admin, provider=provider, model="", reason="Conversion not completed")
    provider.refresh_from_db()
    assert provider.model == "for_profit" and provider.override_model == "" and provider.overridden_by is None
    history = list(provider.overrides.all())
    assert [(h.previous_model, h.model) for h in history] == [("cooperative", ""), ("for_profit", "cooperative")]
    removed = AuditEvent.objects.get(action="providers.override_removed")
    assert removed.before["model"] == "cooperative" and removed.after["model"] == "for_profit"


def test_a_reason_is_required_and_errors_show_on_the_form(client, provider, regulator):
    client.force_login(regulator)
    url = reverse("providers:override", args=[provider.cqc_provider_id])
    r = client.post(url, {"model": "cooperative", "reason": "  "})
    assert r.status_code == 200 and "Give the reason for the change" in r.content.decode()
    r = client.post(url, {"model": "", "reason": "nothing to remove"})
    assert r.status_code == 200 and "already this provider" in r.content.decode()
    r = client.post(url, {"model": "pirate", "reason": "x"})
    assert r.status_code == 200 and r.context["form"].errors["model"]
    with pytest.raises(ValidationError):
        do_override_provider_model(actor=regulator, provider=provider, model="cooperative", reason="")
    assert not ProviderOverride.objects.exists()
