"""The provider register in a browser: directory, a provider's evidence, the comparison, and a
regulator's override with JavaScript switched off. Every page is checked with axe-core and for
CSP violations (the comparison's inline SVG must use presentation attributes only)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def register(append_only_cleanup):
    from django.core.cache import cache

    from coopgov.apps.accounts.models import User
    from coopgov.apps.providers.demo import write_demo_files
    from coopgov.apps.providers.services import do_import_cqc_register

    cache.clear()
    User.objects.create_user("regulator@example.org", PASSWORD, platform_role="regulator")
    with tempfile.TemporaryDirectory() as tmp:
        paths, pe = write_demo_files(Path(tmp))
        do_import_cqc_register(actor=None, paths=paths, private_equity=pe)
    yield
    cache.clear()


def test_directory_provider_and_comparison(live_server, page, axe_check, page_problems, screenshot, register):
    from coopgov.apps.providers.models import Provider

    page.goto(live_server.url + "/providers/")
    expect(page.locator("h1")).to_have_text("Care providers by ownership model")
    axe_check(page)
    page.get_by_label("Ownership model").select_option(label="Co-operative / community benefit society")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text("location")
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("Co-operative / community benefit society")
    axe_check(page)
    screenshot(page, "providers-directory")

    conflicted = Provider.objects.get(needs_review=True, automatic_rule="REGISTERED_CHARITY")
    page.goto(live_server.url + f"/providers/{conflicted.cqc_provider_id}/")
    expect(page.locator("h1")).to_have_text(conflicted.name)
    expect(page.get_by_role("table", name="Evidence for the automatic classification")).to_contain_text(
        "Charity Commission"
    )
    expect(page.locator(".govuk-warning-text")).to_contain_text("The registers disagree")
    axe_check(page)
    screenshot(page, "providers-provider")

    page.goto(live_server.url + "/providers/compare/")
    expect(page.locator("h1")).to_have_text("Compare care ratings by ownership model")
    expect(
        page.get_by_role("img", name="Share of locations rated Good or Outstanding (Overall)", exact=False)
    ).to_be_visible()
    page.get_by_label("Rating to compare").select_option("Safe")
    page.get_by_label("Break down by").select_option("service_type")
    page.get_by_role("button", name="Update comparison").click()
    expect(page.get_by_role("status")).to_contain_text("rating shown: Safe")
    axe_check(page)
    screenshot(page, "providers-compare")
    with page.expect_download() as dl:
        page.get_by_role("link", name="Shares table (CSV)").click()
    assert dl.value.suggested_filename == "ownership-ratings-shares.csv"
    assert page_problems(page) == []


def test_regulator_overrides_without_javascript(live_server, browser, register):
    from coopgov.apps.providers.models import Provider

    provider = Provider.objects.filter(automatic_model="for_profit").order_by("id").first()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/sign-in/")
        page.get_by_label("Email address").fill("regulator@example.org")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + f"/providers/{provider.cqc_provider_id}/")
        page.get_by_role("link", name="Change the ownership model").click()
        page.get_by_role("button", name="Save the ownership model").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the change")
        page.get_by_label("Employee-owned").check()
        page.get_by_label("Reason for the change").fill("Employee ownership trust since 2024 (company filings)")
        page.get_by_role("button", name="Save the ownership model").click()
        expect(page.get_by_role("heading", name="Ownership model: Employee-owned")).to_be_visible()
        expect(page.get_by_role("table", name="Changes to the classification by officers")).to_contain_text(
            "Employee ownership trust since 2024"
        )
    finally:
        context.close()
    provider.refresh_from_db()
    assert provider.model == "employee_owned" and provider.automatic_model == "for_profit"


def test_officer_pages_are_accessible(live_server, page, axe_check, page_problems, register):
    from coopgov.apps.providers.models import Provider

    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("regulator@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto(live_server.url + "/providers/")
    page.get_by_role("link", name="Import the CQC register").click()
    expect(page.locator("h1")).to_have_text("Import the CQC register")
    axe_check(page)
    page.get_by_role("link", name="View report").first.click()
    expect(page.locator("h1")).to_have_text("Import report")
    axe_check(page)
    provider = Provider.objects.filter(automatic_model="for_profit").order_by("id").first()
    page.goto(live_server.url + f"/providers/{provider.cqc_provider_id}/override/")
    page.get_by_role("button", name="Save the ownership model").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe_check(page)
    assert page_problems(page) == []
