"""Object-level permissions on every page and API call; page behaviour; query counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coopgov.apps.accounts.models import ApiToken
from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.membership.models import Membership

from .factories import make_member, make_officer, make_org, make_user


@pytest.fixture
def two_orgs():  # type: ignore[no-untyped-def]
    a = make_org("Alpha Care")
    b = make_org("Beta Care")
    secretary_a = make_officer(a, "membership-secretary", "sec-a@example.org")
    member_b = make_member(b, name="Private Person", email="private@example.org")
    return a, b, secretary_a, member_b


def _login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


PRIVATE_PAGES = [
    ("site:register", {}),
    ("site:register-export", {}),
    ("site:import", {}),
    ("site:audit", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "extra"), PRIVATE_PAGES)
def test_officer_of_one_org_sees_nothing_private_of_another(client, two_orgs, name, extra) -> None:  # type: ignore[no-untyped-def]
    a, b, secretary_a, _member_b = two_orgs
    _login(client, secretary_a)
    assert client.get(reverse(name, kwargs={"slug": a.slug, **extra})).status_code == 200
    response = client.get(reverse(name, kwargs={"slug": b.slug, **extra}))
    assert response.status_code == 403
    assert b"Private Person" not in response.content


@pytest.mark.django_db
def test_member_detail_and_changes_are_isolated(client, two_orgs) -> None:  # type: ignore[no-untyped-def]
    a, b, secretary_a, member_b = two_orgs
    _login(client, secretary_a)
    url_b = reverse("site:member", kwargs={"slug": b.slug, "membership_id": member_b.pk})
    assert client.get(url_b).status_code == 403
    assert client.post(url_b, {"status": "ended", "effective_from_day": "1", "effective_from_month": "1", "effective_from_year": "2025"}).status_code == 403
    # Asking for B's member under A's slug is a 404, not a leak.
    assert client.get(reverse("site:member", kwargs={"slug": a.slug, "membership_id": member_b.pk})).status_code == 404
    assert Membership.objects.get(pk=member_b.pk).status == "active"


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, two_orgs) -> None:  # type: ignore[no-untyped-def]
    a, *_ = two_orgs
    response = client.get(reverse("site:register", kwargs={"slug": a.slug}))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_plain_member_and_board_member_cannot_see_register(client, two_orgs) -> None:  # type: ignore[no-untyped-def]
    a, *_ = two_orgs
    for role in ("member", "board-member"):
        _login(client, make_officer(a, role))
        assert client.get(reverse("site:register", kwargs={"slug": a.slug})).status_code == 403
    assert client.get(reverse("site:audit", kwargs={"slug": a.slug})).status_code == 200  # board sees the audit log


@pytest.mark.django_db
def test_directory_search_and_filters(client) -> None:  # type: ignore[no-untyped-def]
    make_org("Alpha Care", area="Exeter")
    make_org(
        "Gamma School",
        kind="co-operative-school",
        legal_form="academy-trust",
        ownership_model="co-operative",
        sectors=["education"],
    )
    page = client.get(reverse("site:directory"), {"q": "exeter"}).content.decode()
    assert "Alpha Care" in page and "Gamma School" not in page
    page = client.get(reverse("site:directory"), {"sector": "education"}).content.decode()
    assert "Gamma School" in page and "Alpha Care" not in page
    page = client.get(
        reverse("site:directory"), {"ownership_model": "co-operative", "legal_form": "academy-trust"}
    ).content.decode()
    assert "Gamma School" in page


@pytest.mark.django_db
def test_apply_to_join_flow(client) -> None:  # type: ignore[no-untyped-def]
    org = make_org("Open Care")
    user = make_user("joiner@example.org", full_name="Jo Iner")
    _login(client, user)
    url = reverse("site:apply", kwargs={"slug": org.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"full_name": "", "stakeholder_class": ""})
    assert response.status_code == 200 and b"govuk-error-summary" in response.content
    sc = org.stakeholder_classes.get(slug="family-carers")
    response = client.post(url, {"full_name": "Jo Iner", "stakeholder_class": str(sc.pk)})
    assert response.status_code == 302
    m = Membership.objects.get(organisation=org, person__user=user)
    assert m.status == "applied"
    assert "Open Care" in client.get(reverse("site:my-memberships")).content.decode()


@pytest.mark.django_db
def test_register_import_through_the_pages(client) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    org = make_org("Upload Care")
    _login(client, make_officer(org))
    url = reverse("site:import", kwargs={"slug": org.slug})
    bad = SimpleUploadedFile("m.csv", b"full_name,stakeholder_class,joined_on\nAda,Gardeners,2024-01-01\n", "text/csv")
    page = client.post(url, {"file": bad}).content.decode()
    assert "Nothing was imported" in page and "Gardeners" in page
    good = SimpleUploadedFile(
        "m.csv", b"full_name,stakeholder_class,joined_on\nAda,Care workers,2024-01-01\n", "text/csv"
    )
    response = client.post(url, {"file": good})
    token = response.context["token"]
    assert token and Membership.objects.filter(organisation=org).count() == 0
    response = client.post(reverse("site:import-confirm", kwargs={"slug": org.slug}), {"token": token})
    assert response.status_code == 302
    assert Membership.objects.filter(organisation=org).count() == 1
    assert AuditEvent.objects.filter(organisation=org, action="membership.import").exists()
    # The token is single-use.
    response = client.post(reverse("site:import-confirm", kwargs={"slug": org.slug}), {"token": token})
    assert response.status_code == 302 and Membership.objects.filter(organisation=org).count() == 1


@pytest.mark.django_db
def test_register_query_count_does_not_grow_with_members(client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    org = make_org("Big Care")
    officer = make_officer(org)
    for i in range(60):
        make_member(org, name=f"Person {i:03d}")
    _login(client, officer)
    url = reverse("site:register", kwargs={"slug": org.slug})
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10) as ctx:
        response = client.get(url, {"q": "Person"})
    assert response.status_code == 200 and "Person 000" in response.content.decode()
    small = len(ctx.captured_queries)
    with django_assert_max_num_queries(small):
        client.get(url, {"page": 2})


@pytest.mark.django_db
def test_audit_log_page_and_export(client, two_orgs) -> None:  # type: ignore[no-untyped-def]
    a, _b, secretary_a, _member_b = two_orgs
    _login(client, secretary_a)
    page = client.get(reverse("site:audit", kwargs={"slug": a.slug})).content.decode()
    assert "Created organisation Alpha Care" in page and "Beta Care" not in page
    response = client.get(reverse("site:audit", kwargs={"slug": a.slug}), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.startswith("at,actor,action,summary") and "organisation.create" in body


# ---------------------------------------------------------------- API


@pytest.fixture
def api_token(two_orgs):  # type: ignore[no-untyped-def]
    _, _, secretary_a, _ = two_orgs
    _, raw = ApiToken.issue(secretary_a, "test")
    return raw


def _auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for p in (
        "/api/organisations",
        "/api/organisations/{slug}",
        "/api/organisations/{slug}/memberships",
        "/api/organisations/{slug}/memberships/{membership_id}/history",
        "/api/organisations/{slug}/eligibility",
    ):
        assert p in paths, p
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or "TokenAuth" in str(schema["components"])


@pytest.mark.django_db
def test_api_directory_is_public(client, two_orgs) -> None:  # type: ignore[no-untyped-def]
    names = [o["name"] for o in client.get("/api/organisations").json()]
    assert names == ["Alpha Care", "Beta Care"]
    detail = client.get("/api/organisations/beta-care").json()
    assert {c["name"] for c in detail["stakeholder_classes"]} >= {"Care workers"}
    assert client.get("/api/organisations/nope").status_code == 404


@pytest.mark.django_db
def test_api_register_needs_a_token_and_a_role(client, two_orgs, api_token) -> None:  # type: ignore[no-untyped-def]
    a, b, *_ = two_orgs
    assert client.get(f"/api/organisations/{a.slug}/memberships").status_code == 401
    assert client.get(f"/api/organisations/{a.slug}/memberships", **_auth("cg_wrong")).status_code == 401
    ok = client.get(f"/api/organisations/{a.slug}/memberships", **_auth(api_token))
    assert ok.status_code == 200 and ok.json()["count"] == 0
    denied = client.get(f"/api/organisations/{b.slug}/memberships", **_auth(api_token))
    assert denied.status_code == 403 and "permission" in denied.json()["detail"]
    assert b"Private Person" not in denied.content


@pytest.mark.django_db
def test_api_add_change_history_and_errors(client, two_orgs, api_token) -> None:  # type: ignore[no-untyped-def]
    a, *_ = two_orgs
    url = f"/api/organisations/{a.slug}/memberships"
    r = client.post(
        url,
        {"full_name": "Api Person", "stakeholder_class": "care-workers", "joined_on": "2024-02-01"},
        content_type="application/json",
        **_auth(api_token),
    )
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    r = client.post(
        url, {"full_name": "X", "stakeholder_class": "wizards"}, content_type="application/json", **_auth(api_token)
    )
    assert r.status_code == 400 and "unknown class" in r.json()["detail"]
    r = client.post(url, {"stakeholder_class": "care-workers"}, content_type="application/json", **_auth(api_token))
    assert r.status_code == 422 and "full_name" in r.json()["detail"]
    r = client.patch(
        f"{url}/{mid}",
        {"status": "lapsed", "effective_from": "2025-01-01"},
        content_type="application/json",
        **_auth(api_token),
    )
    assert r.status_code == 200 and r.json()["status"] == "lapsed"
    history = client.get(f"{url}/{mid}/history", **_auth(api_token)).json()
    assert [h["status"] for h in history] == ["active", "lapsed"]
    n = client.get(f"/api/organisations/{a.slug}/eligibility", {"as_at": "2024-06-01"}, **_auth(api_token)).json()
    assert n["eligible_voters"] == 1
    n = client.get(f"/api/organisations/{a.slug}/eligibility", {"as_at": "2025-06-01"}, **_auth(api_token)).json()
    assert n["eligible_voters"] == 0


@pytest.mark.django_db
def test_officer_changes_status_from_a_date_on_the_member_page(client) -> None:  # type: ignore[no-untyped-def]
    org = make_org("Status Care")
    m = make_member(org, name="Sue Spended")
    _login(client, make_officer(org))
    url = reverse("site:member", kwargs={"slug": org.slug, "membership_id": m.pk})
    bad = client.post(url, {"status": "suspended", "effective_from_day": "31", "effective_from_month": "2", "effective_from_year": "2025"})
    assert bad.status_code == 200 and "Enter a real date" in bad.content.decode()
    ok = client.post(url, {"status": "suspended", "effective_from_day": "1", "effective_from_month": "3", "effective_from_year": "2025",
                           "reason": "arrears"})
    assert ok.status_code == 302
    page = client.get(url).content.decode()
    assert "Suspended" in page and "arrears" in page and "1 Mar 2025" in page


@pytest.mark.django_db
def test_api_adding_an_existing_member_is_a_400_not_a_crash(client, two_orgs, api_token) -> None:  # type: ignore[no-untyped-def]
    a, *_ = two_orgs
    url = f"/api/organisations/{a.slug}/memberships"
    body = {"full_name": "Twice", "email": "twice@example.org", "stakeholder_class": "care-workers"}
    assert client.post(url, body, content_type="application/json", **_auth(api_token)).status_code == 201
    again = client.post(url, body, content_type="application/json", **_auth(api_token))
    assert again.status_code == 400 and "already has a membership" in again.json()["detail"]
