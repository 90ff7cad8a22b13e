from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.orgs import services as orgs
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.validators import validate_identifier

from .factories import make_org


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (
            "companies_house_number",
            ["01234567", "SC123456", "NI012345", "OC301234"],
            ["1234567", "ABC12345", "0123456789"],
        ),
        ("fca_society_number", ["31495R", "1234", "IP12345R"], ["R31495", "12-34"]),
        ("charity_number", ["1012345", "202918", "SC012345"], ["12345", "SCX12345"]),
        ("cqc_provider_id", ["1-101613059"], ["101613059", "1-12"]),
        ("school_urn", ["100000"], ["10000", "1000000", "ABCDEF"]),
        ("police_force_code", ["01", "50"], ["1", "501"]),
    ],
)
def test_register_identifiers_are_validated_for_format(kind: str, good: list[str], bad: list[str]) -> None:
    for value in good:
        validate_identifier(kind, value)
    for value in bad:
        with pytest.raises(ValidationError):
            validate_identifier(kind, value)


@pytest.mark.django_db
def test_create_organisation_applies_preset_classes_and_audits() -> None:
    org = make_org("Harbour Care", companies_house_number="ip12345r", fca_society_number="31495r")
    assert [c.name for c in org.stakeholder_classes.all()] == [
        "Care workers",
        "People receiving care",
        "Family carers",
        "Community members",
    ]
    assert org.fca_society_number == "31495R"  # normalised
    event = AuditEvent.objects.get(action="organisation.create", organisation=org)
    assert event.after is not None and event.after["name"] == "Harbour Care"


@pytest.mark.django_db
def test_foundation_trust_preset_has_public_patient_and_staff_constituencies() -> None:
    org = make_org(
        "Valley NHS FT",
        kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust",
        ownership_model="public",
        sectors=["health"],
    )
    classes = {c.slug: c for c in org.stakeholder_classes.all()}
    assert set(classes) == {"public", "patients-and-carers", "staff"}
    assert classes["staff"].constituencies.count() == 2


@pytest.mark.django_db
def test_bad_identifier_and_inconsistent_asset_lock_are_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        make_org("Bad Numbers", companies_house_number="12")
    assert "companies_house_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_org("Bad Lock", legal_form="cls", asset_lock="cbs-statutory")
    assert "asset_lock" in exc.value.message_dict
    assert not Organisation.objects.filter(name__in=["Bad Numbers", "Bad Lock"]).exists()


@pytest.mark.django_db
def test_groupings_and_sector_filter() -> None:
    school = make_org(
        "Hill School",
        kind="co-operative-school",
        legal_form="academy-trust",
        ownership_model="co-operative",
        sectors=["education"],
    )
    care = make_org("Dale Care")
    trust = orgs.do_create_grouping(actor=None, name="Hill Trust", kind="trust")
    orgs.do_join_grouping(actor=None, grouping=trust, organisation=school, role="member school")
    assert list(trust.members.all()) == [school]
    assert list(Organisation.objects.in_sector("education")) == [school]
    assert list(Organisation.objects.in_sector("social-care")) == [care]


@pytest.mark.django_db
def test_settings_change_is_audited_with_before_and_after() -> None:
    org = make_org("Audit Me")
    orgs.do_update_organisation(actor=None, organisation=org, area="Totnes")
    event = AuditEvent.objects.filter(action="organisation.update").get()
    assert event.before == {"area": ""} and event.after == {"area": "Totnes"}
