"""The issue's browser test: a membership secretary signs in, imports a CSV (dry run, then commit),
finds a member in the register, and every page on the way passes axe-core (no serious or critical
violations).  Runs against the real URLconf and the real templates, under the real CSP.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"

GOOD_CSV = (
    "full_name,stakeholder_class,joined_on,email,member_number\n"
    "Ngozi Okonkwo-Barnes,Care workers,2024-04-01,ngozi@example.org,CW-101\n"
    "Peter Quennell,People receiving care,01/05/2024,,PR-102\n"
    "Rhiannon Tudor-Hale,Family carers,2024-06-15,rhiannon@example.org,FC-103\n"
    "Wojciech Zieliński,Community members,2024-07-20,,CM-104\n"
)
BAD_CSV = (
    "full_name,stakeholder_class,joined_on\n"
    "Ngozi Okonkwo-Barnes,Care workers,2024-13-01\n"
    "Peter Quennell,Gardeners,2024-05-01\n"
)


@pytest.fixture
def care_coop(append_only_cleanup):
    from coopgov.apps.accounts.models import User
    from coopgov.apps.orgs import services as orgs
    from coopgov.apps.orgs.models import Role

    admin = User.objects.create_superuser("admin@example.org", PASSWORD)
    secretary = User.objects.create_user("secretary@example.org", PASSWORD)
    org = orgs.do_create_organisation(
        actor=admin,
        name="Riverside Home Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
        area="Exeter",
    )
    orgs.do_grant_role(actor=admin, organisation=org, user=secretary, role=Role.MEMBERSHIP_SECRETARY)
    return org


def write_csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_secretary_imports_a_register_and_finds_a_member(
    live_server, page, axe_check, screenshot, page_problems, care_coop, tmp_path
):
    visited: list[str] = []

    def check(name: str) -> None:
        """axe-check the page as it is now, and keep a screenshot for people to look at."""
        axe_check(page)
        screenshot(page, f"journey-{len(visited):02d}-{name}")
        visited.append(f"{name}: {page.url}")

    # Home page, then sign in from the service navigation.
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_be_visible()
    check("home")
    page.get_by_role("link", name="Sign in").first.click()
    expect(page).to_have_title("Sign in — coopgov")
    check("sign-in")

    # A mistake first: the error summary takes focus and links to the field.
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Sign in — coopgov")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    check("sign-in-errors")

    page.get_by_label("Email address").fill("secretary@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    # The GOV.UK password input's Show button (JavaScript) reveals what was typed.
    page.get_by_role("button", name="Show password").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("type", "text")
    check("sign-in-password-shown")
    page.get_by_role("button", name="Sign in").click()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    check("after-sign-in")
    # Sign out is a POST button styled as a navigation link; it has the GOV.UK focus state too.
    sign_out.focus()
    assert sign_out.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 221, 0)"

    # Find the organisation in the directory, with a search.
    page.get_by_role("link", name="Organisations").first.click()
    check("directory")
    page.get_by_label("Search by name or place").fill("Riverside")
    page.get_by_role("button", name="Apply filters").click()
    check("directory-search")
    page.get_by_role("link", name="Riverside Home Care Co-operative").click()
    expect(page.locator("h1")).to_have_text("Riverside Home Care Co-operative")
    check("organisation")

    # The (empty) register, then the import page.
    page.get_by_role("link", name="Member register").click()
    expect(page.locator("h1")).to_have_text("Member register")
    check("register-empty")
    page.get_by_role("link", name="Import members").click()
    check("import")

    # Dry run of a bad file: every problem listed, nothing imported.
    page.get_by_label("Upload a CSV file").set_input_files(write_csv(tmp_path, "bad.csv", BAD_CSV))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#problems")).to_be_visible()
    assert page.locator("#problems tbody tr").count() >= 2
    check("import-problems")

    # Dry run of a good file, then the commit.
    page.get_by_label("Upload a CSV file").set_input_files(write_csv(tmp_path, "members.csv", GOOD_CSV))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is ready to import")).to_be_visible()
    check("import-ready")
    page.get_by_role("button", name="Import 4 members").click()
    expect(page.locator("h1")).to_have_text("Member register")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Imported 4 members")
    check("register-after-import")

    # Find a member by name, and open their record.
    page.get_by_label("Search by name, email or member number").fill("Rhiannon")
    page.get_by_role("button", name="Search").click()
    results = page.locator("tbody tr")
    expect(results).to_have_count(1)
    check("register-search")
    page.get_by_role("link", name="Rhiannon Tudor-Hale").click()
    expect(page.locator("h1")).to_have_text("Rhiannon Tudor-Hale")
    check("member")

    # The audit log shows the import.
    page.goto(live_server.url + f"/organisations/{care_coop.slug}/audit/")
    expect(page.locator("h1")).to_have_text("Audit log")
    check("audit")

    # The same register on a phone-sized screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + f"/organisations/{care_coop.slug}/register/")
    check("register-375")
    # Reflow (WCAG 1.4.10): the table scrolls in its own region; the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    assert page_problems(page) == [], visited

    from coopgov.apps.membership.models import Membership

    imported = Membership.objects.filter(organisation=care_coop).order_by("member_number")
    assert [m.member_number for m in imported] == ["CM-104", "CW-101", "FC-103", "PR-102"]
    assert imported.get(member_number="PR-102").joined_on == datetime.date(2024, 5, 1)
