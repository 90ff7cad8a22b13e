"""The rest of the site's pages in a browser: applying to join, the public pages, another
organisation's officer being refused, and a whole officer journey with JavaScript switched off.
Every page visited with JavaScript on is checked with axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def orgs(append_only_cleanup):
    from coopgov.apps.accounts.models import User
    from coopgov.apps.membership.models import Person
    from coopgov.apps.membership.services import do_add_member
    from coopgov.apps.orgs import services
    from coopgov.apps.orgs.models import Role

    admin = User.objects.create_superuser("admin@example.org", PASSWORD)
    secretary = User.objects.create_user("secretary@example.org", PASSWORD)
    User.objects.create_user("member@example.org", PASSWORD)
    care = services.do_create_organisation(
        actor=admin,
        name="Riverside Home Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
        area="Exeter",
    )
    school = services.do_create_organisation(
        actor=admin,
        name="Saltash Road Primary",
        kind="co-operative-school",
        legal_form="academy-trust",
        ownership_model="co-operative",
        sectors=["education"],
        area="Plymouth",
    )
    services.do_grant_role(actor=admin, organisation=care, user=secretary, role=Role.MEMBERSHIP_SECRETARY)
    workers = care.stakeholder_classes.get(slug="care-workers")
    import datetime

    for name in ("Imogen Achterberg", "Kwame Boateng"):
        do_add_member(
            actor=secretary,
            organisation=care,
            person=Person.objects.create(full_name=name),
            stakeholder_class=workers,
            joined_on=datetime.date(2023, 9, 1),
        )
    return {"care": care, "school": school}


def sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_member_applies_to_join(live_server, page, axe_check, screenshot, page_problems, orgs):
    sign_in(page, live_server, "member@example.org")
    axe_check(page)  # my memberships, with none yet
    page.goto(live_server.url + f"/organisations/{orgs['care'].slug}/")
    page.get_by_role("link", name="Apply to join").click()
    expect(page).to_have_title("Apply to join Riverside Home Care Co-operative — coopgov")
    axe_check(page)

    page.get_by_label("Full name").fill("Harriet Okafor")
    page.get_by_role("button", name="Send application").click()
    expect(page).to_have_title("Error: Apply to join Riverside Home Care Co-operative — coopgov")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    summary_link = page.locator(".govuk-error-summary__list a").first
    expect(summary_link).to_have_text("Select an answer")
    axe_check(page)
    screenshot(page, "apply-errors")
    summary_link.click()  # GOV.UK: the link moves focus to the first radio of the question
    expect(page.locator("#id_stakeholder_class_0")).to_be_focused()

    page.get_by_label("Family carers").check()
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("h1")).to_have_text("My memberships")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("Riverside Home Care Co-operative")
    axe_check(page)
    screenshot(page, "my-memberships")
    assert page_problems(page) == []

    from coopgov.apps.membership.models import Membership

    application = Membership.objects.get(person__full_name="Harriet Okafor")
    assert (application.organisation, application.status) == (orgs["care"], "applied")


def test_public_pages(live_server, page, axe_check, page_problems, orgs):
    for path, title in [
        ("/", None),
        ("/accessibility/", "Accessibility statement — coopgov"),
        ("/organisations/?sector=education", "Organisations — coopgov"),
        (f"/organisations/{orgs['school'].slug}/", "Saltash Road Primary — coopgov"),
        ("/accounts/password-reset/", "Reset your password — coopgov"),
    ]:
        page.goto(live_server.url + path)
        if title:
            expect(page).to_have_title(title)
        axe_check(page)
    page.get_by_label("Email", exact=True).fill("member@example.org")
    page.get_by_role("button", name="Send the link").click()
    axe_check(page)
    assert page_problems(page) == []


def test_another_organisations_register_is_refused(live_server, page, axe_check, orgs):
    sign_in(page, live_server, "secretary@example.org")
    response = page.goto(live_server.url + f"/organisations/{orgs['school'].slug}/register/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You cannot see this page")
    assert "Imogen" not in page.content()
    axe_check(page)


def test_officer_journey_without_javascript(browser, live_server, orgs, screenshot):
    """Every form is a plain GET or POST: the pages work with JavaScript switched off."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, live_server, "secretary@example.org")
        page.get_by_role("link", name="Organisations").click()
        page.get_by_label("Search by name or place").fill("Riverside")
        page.get_by_role("button", name="Apply filters").click()
        page.get_by_role("link", name="Riverside Home Care Co-operative").click()
        page.get_by_role("link", name="Member register").click()
        page.get_by_label("Search by name, email or member number").fill("Boateng")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Kwame Boateng").click()

        # A mistake, then the change: error summary and messages without any script.
        page.get_by_role("button", name="Save change").click()
        expect(page).to_have_title("Error: Kwame Boateng — Riverside Home Care Co-operative — coopgov")
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        screenshot(page, "nojs-member-errors")
        page.get_by_label("Lapsed").check()
        page.get_by_label("Day").fill("31")
        page.get_by_label("Month").fill("1")
        page.get_by_label("Year").fill("2026")
        page.get_by_role("button", name="Save change").click()
        expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
        expect(page.locator("tbody")).to_contain_text("Lapsed")

        # On a narrow screen the navigation is a plain list (the Menu button needs JavaScript).
        page.set_viewport_size({"width": 375, "height": 800})
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(page.get_by_role("link", name="My memberships")).to_be_visible()
        screenshot(page, "nojs-member-375")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    finally:
        context.close()
