"""Engagement: an officer opens the dashboard (with a period and class filter, JavaScript on), a
member of the public opens the published annual report; axe-core finds no serious or critical
violations on either, and the pages load without console errors or CSP violations."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"


@pytest.fixture
def trust(append_only_cleanup):
    from coopgov.apps.accounts.models import User
    from coopgov.apps.engagement import services
    from coopgov.apps.engagement.demo import _deprivation_csv, _population_csv, record_past_election
    from coopgov.apps.membership.models import Person
    from coopgov.apps.membership.services import do_add_member
    from coopgov.apps.orgs import services as orgs
    from coopgov.apps.orgs.models import Role

    officer = User.objects.create_user("officer@example.org", PASSWORD)
    org = orgs.do_create_organisation(
        actor=None, name="Valley NHS Foundation Trust", kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust", ownership_model="public", sectors=["health"],
    )  # fmt: skip
    orgs.do_grant_role(actor=None, organisation=org, user=officer, role=Role.ADMINISTRATOR)
    public = org.stakeholder_classes.get(slug="public")
    area = public.constituencies.first()
    members = []
    for i in range(40):
        person = Person.objects.create(
            full_name=f"Member {i}", age_band=["25-34", "45-54", "65-74", ""][i % 4],
            sex=["female", "male"][i % 2], postcode_district=["EX1", "EX2", "EX4"][i % 3],
        )  # fmt: skip
        members.append(
            do_add_member(
                actor=None,
                organisation=org,
                person=person,
                stakeholder_class=public,
                constituency=area,
                joined_on=datetime.date(2018 + i % 7, 3, 1),
            )
        )
    services.do_upload_population(actor=None, organisation=org, name="Census (test)", data=_population_csv(),
                                  filename="population.csv")  # fmt: skip
    services.do_upload_deprivation(actor=None, organisation=org, data=_deprivation_csv(), filename="imd.csv")
    for year in (2022, 2023, 2024):
        record_past_election(organisation=org, title=f"Public governors {year}", stakeholder_class=public,
                             constituency=area, seats=2, poll_close=datetime.date(year, 6, 1), electorate=30 + year % 5,
                             candidates=members[year % 10: year % 10 + 4], ballots=12, winners=members[:0])  # fmt: skip
    services.do_record_decision(actor=None, organisation=org, title="Annual members' meeting", kind="agm-resolution",
                                held_on=datetime.date(datetime.date.today().year, 1, 10), eligible=40, participants=14)  # fmt: skip
    last = datetime.date.today().year - 1
    services.do_save_report(actor=None, organisation=org, year=last, how_we_engaged="Twelve members' events.",
                            what_changed="Two new community clinics.", publish=True)  # fmt: skip
    return org, last


def test_dashboard_and_report_are_accessible(live_server, page, axe_check, screenshot, page_problems, trust):
    org, year = trust
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill("officer@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto(live_server.url + f"/organisations/{org.slug}/engagement/")
    expect(page.get_by_role("heading", name="Engagement", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Who our members are")).to_be_visible()
    expect(page.get_by_role("img", name="Election vitality each year")).to_be_visible()
    axe_check(page)
    screenshot(page, "engagement-dashboard")

    # choose a period and a class (the GET form works the same with or without JavaScript)
    group = page.get_by_role("group", name="From")
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("1")
    group.get_by_label("Year").fill("2022")
    page.get_by_label("Class of members").select_option(label="Public")
    page.get_by_role("button", name="Show this period").click()
    expect(page.get_by_text("2022-01-01 to")).to_be_visible()
    axe_check(page)

    # the officer's data page and the report editor
    page.get_by_role("link", name="Population table, deprivation deciles, decisions and benchmark sharing").click()
    expect(page.get_by_role("heading", name="Engagement data")).to_be_visible()
    axe_check(page)
    page.goto(live_server.url + f"/organisations/{org.slug}/engagement/reports/{year}/edit/")
    expect(page.get_by_label("What changed because of it")).to_have_value("Two new community clinics.")
    axe_check(page)

    # the published report, as a member of the public
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    page.wait_for_load_state("load")
    page.goto(live_server.url + f"/organisations/{org.slug}/engagement/reports/")
    page.get_by_role("link", name=f"Engagement report {year}").click()
    expect(page.get_by_role("heading", name=f"Engagement report {year}")).to_be_visible()
    expect(page.get_by_text("Two new community clinics.")).to_be_visible()
    axe_check(page)
    screenshot(page, "engagement-report")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download as PDF")).to_be_hidden()  # the print stylesheet applies
    assert page_problems(page) == []
