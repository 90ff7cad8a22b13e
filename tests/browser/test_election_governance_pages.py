"""Governance pages in the browser: an administrator builds a board's seats and rules and sees the
compliance verdicts change; a regulator reads the overview.  axe-core on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def setup(append_only_cleanup):
    from coopgov.apps.accounts.models import User
    from coopgov.apps.governance import services as gov
    from coopgov.apps.orgs import services as orgs
    from coopgov.apps.orgs.models import Role

    admin = User.objects.create_user("admin@example.org", PASSWORD)
    User.objects.create_user("regulator@example.org", PASSWORD, platform_role="regulator")
    org = orgs.do_create_organisation(
        actor=None,
        name="Hilltop Home Care",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )
    orgs.do_grant_role(actor=None, organisation=org, user=admin, role=Role.ADMINISTRATOR)
    gov.do_create_body(actor=None, organisation=org, kind="board-of-directors", name="Board", presets=["right-to-run"])
    return org


def test_board_seats_and_compliance(live_server, page, axe_check, setup):
    def sign_in(email: str) -> None:
        page.goto(live_server.url + "/accounts/sign-in/")
        page.get_by_label("Email address").fill(email)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    sign_in("admin@example.org")
    page.goto(live_server.url + f"/organisations/{setup.slug}/governance/")
    expect(page.locator("main")).to_contain_text("Rules not met")
    axe_check(page)
    page.get_by_role("link", name="Board").first.click()
    axe_check(page)
    for name, category, cls in [
        ("Worker directors", "Workers", "Care workers"),
        ("Client directors", "People receiving care or their families", "People receiving care"),
    ]:
        page.get_by_label("Seat name").fill(name)
        page.get_by_label("Category").select_option(label=category)
        page.get_by_label("How the seats are filled").select_option(label="Elected")
        page.get_by_label("Elected by (stakeholder class)").select_option(label=cls)
        page.get_by_role("button", name="Add seats").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Seats added")
    # An appointed seat without the appointing body: a clear error, then fixed.
    page.get_by_label("Seat name").fill("Community director")
    page.get_by_label("Category").select_option(label="Community representatives")
    page.get_by_label("How the seats are filled").select_option(label="Appointed")
    page.get_by_role("button", name="Add seats").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("needs the body that appoints it")
    axe_check(page)
    page.get_by_label("Appointed by").fill("Town council")
    page.get_by_role("button", name="Add seats").click()
    expect(page.locator("main table").first).not_to_contain_text("Not met")
    axe_check(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in("regulator@example.org")
    page.goto(live_server.url + "/compliance/")
    expect(page.locator("main")).to_contain_text("0 not meeting every rule")
    axe_check(page)
