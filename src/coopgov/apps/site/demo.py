"""Demo data: realistic organisations and members, no real people.

Loaded by the README's run command on first start (``coopgov manage load_demo``).  Everything is
made through the domain actions, except the bulk members of the foundation trust, which go in the
same way the CSV import writes them (bulk, with one membership-log record each).
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction

from coopgov.apps.accounts.models import PlatformRole, User
from coopgov.apps.membership.models import (
    AgeBand,
    Disability,
    EthnicGroup,
    Membership,
    MembershipRecord,
    Person,
    Sex,
    Status,
)
from coopgov.apps.membership.services import do_add_member
from coopgov.apps.orgs import services as orgs
from coopgov.apps.orgs.models import Constituency, Organisation, Role, StakeholderClass

DEMO_PASSWORD = "coopgov-demo-2026"  # noqa: S105 - printed by load_demo; demo accounts only

FIRST = [
    "Aisha",
    "Alfie",
    "Amara",
    "Amelia",
    "Arjun",
    "Beatrice",
    "Bilal",
    "Callum",
    "Chloe",
    "Connor",
    "Daniel",
    "Deborah",
    "Eilidh",
    "Elif",
    "Ellis",
    "Emeka",
    "Erin",
    "Ewan",
    "Fatima",
    "Freya",
    "George",
    "Grace",
    "Hamza",
    "Hannah",
    "Harriet",
    "Isaac",
    "Isla",
    "Jack",
    "Jamal",
    "Jasmine",
    "Joseph",
    "Kofi",
    "Lars",
    "Leah",
    "Liam",
    "Lucy",
    "Maisie",
    "Malik",
    "Maria",
    "Mohammed",
    "Nadia",
    "Niamh",
    "Noah",
    "Olu",
    "Omar",
    "Oscar",
    "Priya",
    "Rhys",
    "Rosa",
    "Ruth",
    "Sam",
    "Sana",
    "Sean",
    "Sofia",
    "Tariq",
    "Theo",
    "Tom",
    "Una",
    "Victor",
    "Wiktoria",
    "Yusuf",
    "Zara",
    "Zofia",
]
LAST = [
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Anderson",
    "Atkinson",
    "Bailey",
    "Begum",
    "Bell",
    "Bennett",
    "Brown",
    "Campbell",
    "Carter",
    "Chen",
    "Clarke",
    "Collins",
    "Cooper",
    "Davies",
    "Dawson",
    "Edwards",
    "Evans",
    "Fletcher",
    "Foster",
    "Gallagher",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Jackson",
    "James",
    "Jones",
    "Kaur",
    "Kelly",
    "Khan",
    "Kowalski",
    "Lewis",
    "Lloyd",
    "Martin",
    "Mensah",
    "Mitchell",
    "Moore",
    "Morgan",
    "Murphy",
    "Nowak",
    "Okafor",
    "O'Brien",
    "Owen",
    "Parker",
    "Patel",
    "Phillips",
    "Price",
    "Rahman",
    "Reid",
    "Roberts",
    "Robinson",
    "Rossi",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
]
DISTRICTS = {
    "exeter": ["EX1", "EX2", "EX4", "EX5", "EX6"],
    "east-devon": ["EX8", "EX9", "EX10", "EX11", "EX14"],
    "mid-devon": ["EX15", "EX16", "EX17", "EX20"],
}


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _demographics(rng: random.Random) -> dict[str, str]:
    def pick(choices: Any, weights: list[float]) -> str:
        return str(rng.choices([c for c, _ in choices], weights)[0])

    return {
        "age_band": pick(AgeBand.choices, [0, 2, 6, 12, 14, 15, 17, 16, 12, 6]) if rng.random() < 0.85 else "",
        "sex": pick(Sex.choices, [55, 43, 2]) if rng.random() < 0.9 else "",
        "ethnic_group": pick(EthnicGroup.choices, [3, 1, 2, 90, 1, 3]) if rng.random() < 0.8 else "",
        "disability": pick(Disability.choices, [17, 78, 5]) if rng.random() < 0.75 else "",
    }


def _user(email: str, name: str, *, superuser: bool = False, platform_role: str = "") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(email, DEMO_PASSWORD, full_name=name)
        else:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, platform_role=platform_role)
    return user


def _bulk_members(
    org: Organisation,
    plan: list[tuple[StakeholderClass, Constituency | None, int]],
    rng: random.Random,
    start_year: int,
    districts: dict[int, list[str]] | None = None,
) -> int:
    """Members joined over the years since ``start_year``; about 12% later lapsed or ended."""
    today = datetime.date(2026, 11, 1)
    span = (today - datetime.date(start_year, 1, 1)).days
    people: list[Person] = []
    rows: list[tuple[StakeholderClass, Constituency | None, datetime.date, str, datetime.date | None]] = []
    for sc, constituency, n in plan:
        for _ in range(n):
            joined = datetime.date(start_year, 1, 1) + datetime.timedelta(days=int(span * rng.random() ** 0.8))
            status: str = Status.ACTIVE
            changed: datetime.date | None = None
            if rng.random() < 0.12:
                status = rng.choice([Status.LAPSED, Status.ENDED])
                changed = joined + datetime.timedelta(days=rng.randint(200, 2000))
                if changed >= today:
                    status, changed = Status.ACTIVE, None
            d = _demographics(rng)
            if districts and constituency is not None and constituency.pk in districts:
                d["postcode_district"] = rng.choice(districts[constituency.pk])
            people.append(Person(full_name=_name(rng), **d))
            rows.append((sc, constituency, joined, status, changed))
    people = Person.objects.bulk_create(people, batch_size=2000)
    memberships = Membership.objects.bulk_create(
        [
            Membership(
                organisation=org,
                person=p,
                member_number=f"{org.pk:02d}-{i + 1:06d}",
                sort_name=p.full_name.casefold(),
                stakeholder_class=sc,
                constituency=c,
                status=status,
                voting_rights=sc.voting_by_default,
                joined_on=joined,
                ended_on=changed if status == Status.ENDED else None,
            )
            for i, (p, (sc, c, joined, status, changed)) in enumerate(zip(people, rows, strict=True))
        ],
        batch_size=2000,
    )
    records = []
    for m, (sc, c, joined, status, changed) in zip(memberships, rows, strict=True):
        records.append(
            MembershipRecord(
                membership=m,
                effective_from=joined,
                status=Status.ACTIVE,
                stakeholder_class=sc,
                constituency=c,
                voting_rights=sc.voting_by_default,
                reason="demo data",
            )
        )
        if changed is not None:
            records.append(
                MembershipRecord(
                    membership=m,
                    effective_from=changed,
                    status=status,
                    stakeholder_class=sc,
                    constituency=c,
                    voting_rights=sc.voting_by_default,
                    reason="demo data",
                )
            )
    MembershipRecord.objects.bulk_create(records, batch_size=2000)
    return len(memberships)


@transaction.atomic
def load_demo(*, seed: int = 2026, trust_members: int = 21000) -> dict[str, Any]:
    rng = random.Random(seed)
    admin = _user("admin@example.org", "Alex Admin", superuser=True)
    secretary = _user("secretary@example.org", "Sam Secretary")
    officer = _user("returning.officer@example.org", "Robin Returning-Officer")
    member = _user("member@example.org", "Morgan Member")
    _user("commissioner@example.org", "Casey Commissioner", platform_role=PlatformRole.COMMISSIONER)

    # 1. A home-care co-operative (multi-stakeholder).
    care = orgs.do_create_organisation(
        actor=admin,
        name="Riverside Home Care Co-operative",
        kind="care-co-operative",
        legal_form="co-operative-society",
        ownership_model="multi-stakeholder-co-operative",
        sectors=["social-care"],
        asset_lock="rules",
        area="Exeter",
        fca_society_number="31999R",
        cqc_provider_id="1-2000000001",
        description=(
            "A home-care co-operative owned by its care workers, the people they support, their families "
            "and the community."
        ),
    )
    # 2. An NHS foundation trust: three public areas plus patient and staff constituencies.
    ft = orgs.do_create_organisation(
        actor=admin,
        name="South Devon Valley NHS Foundation Trust",
        kind="nhs-foundation-trust",
        legal_form="nhs-foundation-trust",
        ownership_model="public",
        sectors=["health"],
        area="Devon",
        description="Acute and community health services. Members elect the council of governors.",
    )
    public = ft.stakeholder_classes.get(slug="public")
    public.constituencies.all().delete()
    areas = {
        slug: orgs.do_add_constituency(
            actor=admin, stakeholder_class=public, name=name, postcode_districts=",".join(DISTRICTS[slug])
        )
        for slug, name in (("exeter", "Exeter"), ("east-devon", "East Devon"), ("mid-devon", "Mid Devon"))
    }
    patients = ft.stakeholder_classes.get(slug="patients-and-carers")
    staff = ft.stakeholder_classes.get(slug="staff")
    clinical, nonclinical = staff.constituencies.order_by("position")
    share = trust_members // 20
    plan = [
        (public, areas["exeter"], share * 6),
        (public, areas["east-devon"], share * 5),
        (public, areas["mid-devon"], share * 3),
        (patients, None, share * 3),
        (staff, clinical, share * 2),
        (staff, nonclinical, trust_members - share * 19),
    ]
    n_ft = _bulk_members(ft, plan, rng, 2015, {c.pk: DISTRICTS[s] for s, c in areas.items()})

    # 3. A co-operative school trust of three schools.
    trust = orgs.do_create_organisation(
        actor=admin,
        name="Tamar Valley Co-operative Learning Trust",
        kind="co-operative-school-trust",
        legal_form="academy-trust",
        ownership_model="co-operative",
        sectors=["education"],
        area="Plymouth",
        companies_house_number="08123456",
        asset_lock="rules",
    )
    grouping = orgs.do_create_grouping(actor=admin, name="Tamar Valley co-operative schools", kind="trust", lead=trust)
    for i, school in enumerate(["Saltash Road Primary", "Keyham Community Academy", "Ernesettle Co-operative Academy"]):
        s = orgs.do_create_organisation(
            actor=admin,
            name=school,
            kind="co-operative-school",
            legal_form="academy-trust",
            ownership_model="co-operative",
            sectors=["education"],
            area="Plymouth",
            school_urn=f"14{i}{i}{i}{i}",
        )
        orgs.do_join_grouping(actor=admin, grouping=grouping, organisation=s, role="member school")
        classes = {c.slug: c for c in s.stakeholder_classes.all()}
        _bulk_members(
            s,
            [(classes["parents-and-carers"], None, 180), (classes["staff"], None, 40), (classes["pupils"], None, 120)],
            rng,
            2019,
        )

    # 4. A police force area with a community safety partnership.
    force = orgs.do_create_grouping(actor=admin, name="Devon and Cornwall police force area", kind="police-force-area")
    csp = orgs.do_create_organisation(
        actor=admin,
        name="Exeter Community Safety Partnership",
        kind="community-safety-partnership",
        legal_form="partnership",
        ownership_model="public",
        sectors=["policing"],
        area="Exeter",
        police_force_code="50",
    )
    orgs.do_join_grouping(actor=admin, grouping=force, organisation=csp, role="community safety partnership")
    pb = orgs.do_create_organisation(
        actor=admin,
        name="Exeter Police Participatory Budgeting Unit",
        kind="police-pb-unit",
        legal_form="unincorporated-association",
        ownership_model="public",
        sectors=["policing"],
        area="Exeter",
        police_force_code="50",
    )
    orgs.do_join_grouping(actor=admin, grouping=force, organisation=pb, role="participatory budgeting unit")
    c = {x.slug: x for x in csp.stakeholder_classes.all()}
    _bulk_members(csp, [(c["residents"], None, 400), (c["businesses"], None, 60)], rng, 2021)

    # 5. A supply-teacher co-operative.
    supply = orgs.do_create_organisation(
        actor=admin,
        name="Westcountry Supply Teachers Co-operative",
        kind="supply-teacher-co-operative",
        legal_form="co-operative-society",
        ownership_model="co-operative",
        sectors=["education"],
        area="Devon and Cornwall",
        fca_society_number="32555R",
    )
    sup = {x.slug: x for x in supply.stakeholder_classes.all()}
    _bulk_members(supply, [(sup["teacher-members"], None, 140), (sup["client-schools"], None, 35)], rng, 2020)

    # Care co-op members through the domain action (small), then officers.
    cc = {x.slug: x for x in care.stakeholder_classes.all()}
    _bulk_members(
        care,
        [
            (cc["care-workers"], None, 48),
            (cc["people-receiving-care"], None, 70),
            (cc["family-carers"], None, 40),
            (cc["community-members"], None, 90),
        ],
        rng,
        2018,
    )
    me = Person.objects.create(full_name="Morgan Member", email=member.email, user=member)
    do_add_member(
        actor=secretary,
        organisation=care,
        person=me,
        stakeholder_class=cc["family-carers"],
        joined_on=datetime.date(2022, 3, 1),
    )
    do_add_member(
        actor=secretary,
        organisation=ft,
        person=me,
        stakeholder_class=public,
        constituency=areas["exeter"],
        joined_on=datetime.date(2019, 6, 1),
    )
    for org in (care, ft, csp, supply, trust):
        orgs.do_grant_role(actor=admin, organisation=org, user=secretary, role=Role.MEMBERSHIP_SECRETARY)
    for org in (care, ft, trust):
        orgs.do_grant_role(actor=admin, organisation=org, user=officer, role=Role.RETURNING_OFFICER)
    orgs.do_grant_role(actor=admin, organisation=ft, user=admin, role=Role.ADMINISTRATOR)
    from coopgov.apps.engagement.demo import load_demo_engagement  # engagement history for the trust

    load_demo_engagement(seed=seed)
    from coopgov.apps.budgets.demo import load_demo_budgets  # PB processes for the Exeter PB unit

    load_demo_budgets(seed=seed)
    from coopgov.apps.elections.demo import load_demo_elections  # governing bodies and a declared election

    load_demo_elections(seed=seed)
    from coopgov.apps.providers.demo import load_demo_providers  # synthetic CQC register by ownership model

    load_demo_providers()
    return {"organisations": Organisation.objects.count(), "trust_members": n_ft, "members": Membership.objects.count()}
