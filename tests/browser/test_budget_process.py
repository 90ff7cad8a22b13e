"""A whole participatory-budgeting process in a real browser, axe-checked on every page visited:
an officer creates it with two ring-fenced districts, residents suggest ideas, the officer reviews
and shortlists, code-holders and a member vote, the officer closes and publishes, and the results
page shows what the budgeting engine selects, with its explanations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from coopgov.apps.accounts.models import User
from coopgov.apps.budgets.models import Process
from coopgov.apps.membership.models import Person
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs.models import Role
from coopgov.apps.orgs.services import do_create_organisation, do_grant_role
from coopgov.budgeting import allocate
from coopgov.budgeting._pabulib import parse_pabulib

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.django_db(transaction=True)
expect.set_options(timeout=15_000)  # the machine is shared: counting can take a few seconds under load

PASSWORD = "correct horse battery staple"


def sign_in(page: Any, base: str, email: str, axe_check: Any) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.locator('input[name="username"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def visit(page: Any, url: str, axe_check: Any) -> None:
    page.goto(url)
    axe_check(page)


IDEAS = [
    ("Street lights on Mill Lane", "Northfield", "30000"),
    ("Youth club evenings", "Northfield", "25000"),
    ("Riverside path lighting", "Southbank", "22000"),
    ("Neighbourhood watch signs", "Southbank", "5000"),
    ("Gold-plated bandstand", "Southbank", "39000"),
]


def test_whole_process(
    append_only_cleanup: None, live_server: Any, browser: Any, page: Any, axe_check: Any, page_problems: Any
) -> None:
    base = live_server.url
    org = do_create_organisation(
        actor=None,
        name="Northshire Community Safety Partnership",
        kind="community-safety-partnership",
        legal_form="partnership",
        ownership_model="public",
        sectors=["policing"],
    )
    officer = User.objects.create_user("officer@example.org", PASSWORD, full_name="Olu Officer")
    do_grant_role(actor=None, organisation=org, user=officer, role=Role.ADMINISTRATOR)
    User.objects.create_user("resident@example.org", PASSWORD, full_name="Rita Resident")
    member = User.objects.create_user("member@example.org", PASSWORD, full_name="Mo Member")
    person = Person.objects.create(full_name="Mo Member", email=member.email, user=member)
    residents = org.stakeholder_classes.get(name="Residents")
    do_add_member(actor=None, organisation=org, person=person, stakeholder_class=residents)

    def new_page() -> Any:
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
        context.add_init_script(path=str(AXE_JS))
        p = context.new_page()
        p.set_default_timeout(15_000)
        return p

    # --- the officer creates the process with two ring-fenced districts
    off = new_page()
    sign_in(off, base, "officer@example.org", axe_check)
    visit(off, f"{base}/budgets/new/{org.slug}/", axe_check)
    off.get_by_label("Name of the process").fill("Safer Streets Fund 2026")
    off.get_by_label("The pot, in pounds").fill("100000")
    off.get_by_label("Where the money comes from").fill("share of the police precept")
    off.get_by_label("By district").check()
    off.get_by_label("Ring-fenced districts or categories").fill("Northfield: 60000\nSouthbank: 40000")
    off.get_by_label("Approval (tick the projects you support)").check()
    off.get_by_label("Most projects a voter may choose").fill("3")
    off.locator('fieldset:has-text("Members who vote")').get_by_label("Residents").check()
    off.get_by_role("button", name="Create the process").click()
    expect(off.get_by_role("heading", name="Manage the process")).to_be_visible()
    axe_check(off)
    slug = Process.objects.get().slug
    off.get_by_role("button", name="Move to: Collecting ideas").click()
    expect(off.get_by_text("Moved to: Collecting ideas")).to_be_visible()

    # --- residents suggest ideas
    res = new_page()
    sign_in(res, base, "resident@example.org", axe_check)
    visit(res, f"{base}/budgets/{slug}/", axe_check)
    for title, district, cost in IDEAS:
        visit(res, f"{base}/budgets/{slug}/ideas/new/", axe_check)
        res.get_by_label("Name of your idea").fill(title)
        res.get_by_label("Describe your idea").fill(f"{title}, to make the streets safer.")
        res.get_by_label(district, exact=True).check()
        res.get_by_label("Estimated cost, in pounds").fill(cost)
        res.get_by_role("button", name="Send my idea").click()
        expect(res.get_by_text("your idea has been sent for review")).to_be_visible()
        axe_check(res)
    res.get_by_label("Add a comment").fill("Yes please, the lane is very dark.")
    res.get_by_role("button", name="Add comment").click()
    expect(res.get_by_text("Comment added")).to_be_visible()
    visit(res, f"{base}/budgets/{slug}/ideas/", axe_check)

    # --- the officer reviews and shortlists
    visit(off, f"{base}/budgets/{slug}/manage/", axe_check)
    for title, _, _ in IDEAS:
        off.goto(f"{base}/budgets/{slug}/manage/")
        off.get_by_role("link", name=f"Review {title}").click()
        axe_check(off)
        if title.startswith("Gold-plated"):
            off.get_by_label("Not feasible").check()
            off.get_by_label("Public reason").fill("The council cannot maintain a bandstand.")
        else:
            off.get_by_label("Put it on the ballot").check()
            off.get_by_label("Public reason").fill("Feasible at the estimated cost.")
        off.get_by_role("button", name="Save the decision").click()
        expect(off.get_by_text(f"Reviewed: {title}")).to_be_visible()
    off.get_by_role("button", name="Move to: Reviewing ideas").click()
    off.get_by_role("button", name="Move to: Voting").click()
    expect(off.get_by_text("Moved to: Voting")).to_be_visible()
    axe_check(off)

    # --- voting codes for residents of two postcode districts
    visit(off, f"{base}/budgets/{slug}/codes/", axe_check)
    off.get_by_label("How many codes").fill("3")
    off.get_by_label("Postcode district (printed on the letters)").fill("NS1")
    off.get_by_label("A printable sheet").check()
    off.get_by_role("button", name="Generate codes").click()
    axe_check(off)
    codes = off.locator("code.pb-code").all_inner_texts()
    assert len(codes) == 3 and all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)

    ballots = [
        (["Street lights on Mill Lane"], ["Riverside path lighting", "Neighbourhood watch signs"]),
        (["Youth club evenings"], ["Neighbourhood watch signs"]),
        (["Street lights on Mill Lane", "Youth club evenings"], []),
    ]
    for code, (north, south) in zip(codes, ballots, strict=True):
        v = new_page()
        visit(v, f"{base}/budgets/{slug}/vote/", axe_check)
        v.get_by_label("Your voting code").fill(code)
        v.get_by_role("button", name="Continue").click()
        expect(v.get_by_role("heading", name="Vote")).to_be_visible()
        axe_check(v)
        for t in north + south:
            v.get_by_label(re.compile(re.escape(t))).check()
        v.get_by_role("button", name="Check my choices").click()
        north_total = {"Street lights on Mill Lane": 30000, "Youth club evenings": 25000}
        total = sum(north_total.get(t, 0) for t in north)
        expect(v.get_by_text(f"You have chosen £{total:,} of £60,000 in Northfield")).to_be_visible()
        axe_check(v)
        v.get_by_role("button", name="Send my vote").click()
        expect(v.get_by_role("heading", name="Your vote has been recorded")).to_be_visible()
        axe_check(v)
        v.context.close()

    # a used code is refused
    v = new_page()
    v.goto(f"{base}/budgets/{slug}/vote/")
    v.get_by_label("Your voting code").fill(codes[0])
    v.get_by_role("button", name="Continue").click()
    expect(v.get_by_text("This voting code has already been used").first).to_be_visible()
    axe_check(v)
    v.context.close()

    # --- a member votes, over the budget first, then within it
    mem = new_page()
    sign_in(mem, base, "member@example.org", axe_check)
    visit(mem, f"{base}/budgets/{slug}/vote/", axe_check)
    mem.get_by_label(re.compile("Street lights on Mill Lane")).check()
    mem.get_by_label(re.compile("Youth club evenings")).check()
    # progressive enhancement: the running total updates without a round trip
    expect(mem.get_by_text("You have chosen £55,000 of £60,000 in Northfield")).to_be_visible()
    mem.get_by_label(re.compile("Riverside path lighting")).check()
    mem.get_by_role("button", name="Send my vote").click()
    expect(mem.get_by_text("Your vote has been recorded")).to_be_visible()
    visit(mem, f"{base}/budgets/{slug}/vote/", axe_check)  # shows the stored ballot, to change
    expect(mem.get_by_role("heading", name="Change your vote")).to_be_visible()

    # --- the officer closes, counts and publishes
    visit(off, f"{base}/budgets/{slug}/manage/", axe_check)
    off.get_by_role("button", name="Close voting").click()
    off.get_by_role("button", name="Compute the results").click()
    expect(off.get_by_text("Results computed")).to_be_visible()
    off.get_by_role("button", name="Publish the results").click()
    expect(off.get_by_role("heading", name="Results", exact=True)).to_be_visible()

    # --- the public results page shows what the engine selects, with its explanations
    pub = page  # the fixture's page records console errors and CSP violations
    visit(pub, f"{base}/budgets/{slug}/results/", axe_check)
    result = Process.objects.get().result
    assert result.data["ballots"] == 4
    for area in result.data["areas"]:
        election = parse_pabulib(result.pb_files[area["slug"]])
        direct = allocate(election, "mes", completion="add1")
        projects = election.instance.projects
        for k, project in enumerate(projects):
            row = pub.locator(f'tr[data-project="{project.id}"]')
            expect(row).to_have_attribute("data-funded", "1" if k in direct.selected else "0")
            expect(row.locator(".pb-explanation")).to_have_text(direct.explanations[k].text)
        assert direct.selected  # every district funds something
    visit(pub, f"{base}/budgets/{slug}/delivery/", axe_check)
    funded = pub.locator("tbody tr").count()
    assert funded >= 2
    assert not page_problems(pub), page_problems(pub)
