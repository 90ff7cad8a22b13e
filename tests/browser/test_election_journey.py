"""The issue's browser test: a whole contested STV election through the pages.

A returning officer creates the election; members nominate (one nominates another, who consents);
the officer freezes the electorate; members vote with numbered boxes (one first makes a mistake and
is told before casting) and check their receipt; the officer enters a batch of paper ballots,
closes the poll, counts and declares; the public result page shows the right winners (checked
against the counting engine on the same ballots) and the stages.  axe-core runs on every page.

The timetable is moved by the test's clock (``coopgov.apps.elections.clock.now``), which the live
server shares because it runs in this process.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password-2026"
NAMES = ["Asha Patel", "Ben Okafor", "Chloe Evans", "Dan Reid"]


class Clock:
    def __init__(self) -> None:
        self.at = timezone.now()

    def __call__(self) -> datetime.datetime:
        return self.at


@pytest.fixture
def clock(monkeypatch):
    from coopgov.apps.elections import clock as election_clock

    c = Clock()
    monkeypatch.setattr(election_clock, "now", c)
    return c


@pytest.fixture
def coop(append_only_cleanup):
    from coopgov.apps.accounts.models import User
    from coopgov.apps.governance import services as gov
    from coopgov.apps.membership.models import Person
    from coopgov.apps.membership.services import do_add_member
    from coopgov.apps.orgs import services as orgs
    from coopgov.apps.orgs.models import Role

    officer = User.objects.create_user("officer@example.org", PASSWORD)
    org = orgs.do_create_organisation(
        actor=None,
        name="Riverside Home Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
    )
    orgs.do_grant_role(actor=None, organisation=org, user=officer, role=Role.RETURNING_OFFICER)
    workers = org.stakeholder_classes.get(slug="care-workers")
    for i, name in enumerate(NAMES):
        email = name.split()[0].lower() + "@example.org"
        user = User.objects.create_user(email, PASSWORD)
        person = Person.objects.create(full_name=name, email=email, user=user)
        do_add_member(
            actor=None,
            organisation=org,
            person=person,
            stakeholder_class=workers,
            joined_on=datetime.date(2022, 1, 1),
            member_number=f"CW-{i + 1}",
        )
    body = gov.do_create_body(
        actor=None, organisation=org, kind="board-of-directors", name="Board", presets=["right-to-run"]
    )
    gov.do_add_seat_rule(
        actor=None,
        body=body,
        name="Worker directors",
        category="worker",
        method="elected",
        seats=2,
        stakeholder_class=workers,
    )
    return org


def test_contested_stv_election_from_notice_to_result(
    live_server, page, axe_check, screenshot, page_problems, coop, clock
):
    from coopgov.apps.elections import services
    from coopgov.apps.elections.models import Election
    from coopgov.counting import Profile, count

    visited: list[str] = []

    def check(name: str) -> None:
        axe_check(page)
        screenshot(page, f"election-{len(visited):02d}-{name}")
        visited.append(f"{name}: {page.url}")

    def sign_in(email: str) -> None:
        page.goto(live_server.url + "/accounts/sign-in/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    def sign_out() -> None:
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
        page.wait_for_load_state("load")

    # 1. The officer creates the election (the timetable defaults are in the future; the cut-off
    #    date is set to yesterday so the electorate can be frozen today).
    sign_in("officer@example.org")
    page.goto(live_server.url + f"/organisations/{coop.slug}/elections/")
    check("elections-list")
    page.get_by_role("link", name="Create an election").click()
    check("create-form")
    page.get_by_label("Title").fill("Election of worker directors 2026")
    page.get_by_label("Seats being filled").select_option(label="Worker directors")
    page.get_by_label("Who votes").select_option(label="Care workers")
    page.get_by_label("Number of seats").fill("2")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.locator("#id_cutoff_date_0").fill(str(yesterday.day))
    page.locator("#id_cutoff_date_1").fill(str(yesterday.month))
    page.locator("#id_cutoff_date_2").fill(str(yesterday.year))
    page.get_by_role("button", name="Create election").click()
    expect(page.locator("h1")).to_have_text("Election of worker directors 2026")
    check("manage-new")
    e = Election.objects.get()
    election_url = live_server.url + f"/elections/{e.pk}/"

    # 2. Nominations open: Asha nominates herself and Ben; Ben consents; Chloe nominates herself.
    clock.at = e.nominations_open + datetime.timedelta(minutes=1)
    sign_out()
    sign_in("asha@example.org")
    page.goto(election_url)
    check("detail-nominations")
    page.get_by_role("link", name="Make a nomination").click()
    check("nominate")
    page.get_by_label("Your candidate statement").fill("I have worked here for ten years.")
    page.get_by_label("Your declaration of interests").fill("None")
    page.get_by_role("button", name="Send nomination").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nomination of yourself received")
    page.get_by_role("link", name="Make a nomination").click()
    page.get_by_label("Email address of the member you nominate").fill("ben@example.org")
    page.get_by_role("button", name="Send nomination").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nomination of Ben Okafor received")
    sign_out()

    sign_in("ben@example.org")
    page.goto(election_url)
    page.get_by_role("link", name="Consent to your nomination").click()
    check("consent")
    page.get_by_role("button", name="Consent and stand").click()  # empty: errors first
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("consent-errors")
    page.get_by_label("Candidate statement").fill("Fair rotas for everyone.")
    page.get_by_label("Declaration of interests").fill("None")
    page.get_by_label("I consent to stand for election").check()
    page.get_by_role("button", name="Consent and stand").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("consented")
    sign_out()

    sign_in("chloe@example.org")
    page.goto(election_url + "nominate/")
    page.get_by_label("Your candidate statement").fill("More training.")
    page.get_by_role("button", name="Send nomination").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("received")
    sign_out()

    # 3. After the withdrawal deadline: statement of persons nominated; the officer freezes the electorate.
    clock.at = e.withdrawal_deadline + datetime.timedelta(minutes=1)
    page.goto(election_url + "candidates/")
    expect(page.locator("main h2")).to_have_text(["Asha Patel", "Ben Okafor", "Chloe Evans"])
    check("candidates")
    sign_in("officer@example.org")
    page.goto(election_url + "manage/")
    page.get_by_role("button", name="Freeze the electorate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Electorate frozen: 4 voters")
    check("manage-frozen")
    sign_out()

    # 4. The poll opens.  Asha first leaves a gap, is told, then votes; she checks her receipt.
    clock.at = e.poll_open + datetime.timedelta(minutes=1)
    cands = services.candidates(Election.objects.get())
    ids = {c.membership.person.full_name: c.pk for c in cands}
    votes = {
        "asha@example.org": {"Asha Patel": "1", "Ben Okafor": "2"},
        "ben@example.org": {"Ben Okafor": "1", "Asha Patel": "2"},
        "chloe@example.org": {"Chloe Evans": "1"},
        "dan@example.org": {"Asha Patel": "1", "Chloe Evans": "2"},
    }
    receipts = {}
    for n, (email, marks) in enumerate(votes.items()):
        sign_in(email)
        page.goto(election_url)
        page.get_by_role("link", name="Vote now").click()
        if n == 0:
            check("ballot")
            page.get_by_label("Asha Patel").fill("1")
            page.get_by_label("Ben Okafor").fill("3")
            # With JavaScript on, the gap is pointed out as the voter types (the server checks again).
            expect(page.locator("#ballot-summary")).to_contain_text("Number 2 is missing")
            page.get_by_role("button", name="Cast my vote").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text("missing 2")
            expect(page).to_have_title("Error: Ballot — Election of worker directors 2026 — coopgov")
            check("ballot-error")
            page.get_by_label("Ben Okafor").fill("")
        for name, number in marks.items():
            page.get_by_label(name).fill(number)
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.locator("h1")).to_have_text("Your vote has been recorded")
        receipts[email] = page.locator("#receipt-code").inner_text()
        if n == 0:
            check("voted")
            page.get_by_role("link", name="Check your receipt").click()
            expect(page.locator("#receipt-result")).to_contain_text("is in the ballot box")
            check("receipt-during-poll")
            page.goto(election_url + "vote/")
            expect(page.locator(".govuk-warning-text")).to_contain_text("already voted")
            check("vote-again-refused")
        sign_out()

    # 5. The officer enters postal votes (ballot-paper order: Asha, Ben, Chloe), then closes, counts, declares.
    sign_in("officer@example.org")
    page.goto(election_url + "manage/")
    page.get_by_label("Batch label").fill("Postal votes 1")
    page.get_by_label("Number of papers in the batch (subtotal)").fill("2")
    page.get_by_label("Ballot papers").fill("1,,2\n,1,\n")
    page.get_by_role("button", name="Enter paper batch").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 ballot(s)")
    check("manage-paper")
    clock.at = e.poll_close + datetime.timedelta(minutes=1)
    page.goto(election_url + "manage/")
    for button in ["Close the poll", "Count the votes", "Declare the result"]:
        page.get_by_role("button", name=button).click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
    check("manage-declared")
    page.goto(election_url + "audit/")
    expect(page.locator("tbody")).to_contain_text("election.declare")
    check("audit")
    sign_out()

    # 6. The public result page, checked against the counting engine on the same ballots.
    order = ["Asha Patel", "Ben Okafor", "Chloe Evans"]
    ballots = [sorted(m, key=lambda k: int(m[k])) for m in votes.values()]
    ballots += [["Asha Patel", "Chloe Evans"], ["Ben Okafor"]]
    expected = count(
        Profile.from_ballots(order, 2, [[order.index(x) for x in b] for b in ballots]),
        "scottish-stv",
        seed=Election.objects.get().seed,
    )
    page.goto(election_url + "result/")
    expect(page.locator("#elected")).to_have_text(", ".join(expected.elected_names))
    stage_headers = page.locator("#stages thead th")
    expect(stage_headers).to_have_count(len(expected.stages) + 2)
    expect(page.locator("svg")).to_have_count(len(expected.stages))
    check("result")
    page.get_by_role("link", name="List of ballots with receipt codes").click()
    for code in receipts.values():
        expect(page.locator("tbody")).to_contain_text(code)
    check("ballot-list")
    page.goto(election_url + f"receipt/?code={receipts['dan@example.org']}")
    expect(page.locator("#receipt-result")).to_contain_text("1. Asha Patel; 2. Chloe Evans")
    check("receipt-after-close")
    page.goto(live_server.url + f"/organisations/{coop.slug}/governance/board/")
    expect(page.locator("#current-members")).to_contain_text("Nobody holds office today")  # term starts later
    check("board")

    assert sorted(expected.elected_names) == ["Asha Patel", "Ben Okafor"]
    assert ids  # the candidates' ids were read from the page's source of truth
    # A favicon fetch cut short by the next navigation is not a page problem.
    problems = [p for p in page_problems(page) if not p.endswith("/static/coopgov/favicon.svg")]
    assert problems == [], "\n".join(problems)
