"""Demo content for governance and elections, added to the lead's demo organisations.

``load_demo_elections()`` finds the demo care co-operative, foundation trust and a co-operative
school (made by :func:`coopgov.apps.site.demo.load_demo`) and gives them governing bodies with
composition rules, and the care co-operative a declared STV election of worker directors (with
online and postal ballots) plus an open poll.  The timetable is walked through by moving the
election clock, as the tests do; the clock is restored afterwards.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from coopgov.apps.governance import services as gov
from coopgov.apps.governance.models import GoverningBody
from coopgov.apps.membership.models import Membership, Status
from coopgov.apps.orgs.models import Organisation

from . import clock, services


def load_demo_elections(*, seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    made: dict[str, Any] = {"bodies": 0, "elections": 0}
    care = Organisation.objects.filter(kind="care-co-operative").order_by("pk").first()
    if care is not None and not GoverningBody.objects.filter(organisation=care).exists():
        board = gov.do_create_body(
            actor=None,
            organisation=care,
            kind="board-of-directors",
            name="Board of directors",
            presets=["right-to-run"],
        )
        classes = {c.slug: c for c in care.stakeholder_classes.all()}
        workers = gov.do_add_seat_rule(
            actor=None,
            body=board,
            name="Worker directors",
            category="worker",
            method="elected",
            seats=3,
            stakeholder_class=classes.get("care-workers"),
            cohorts=3,
            max_consecutive_terms=3,
        )
        gov.do_add_seat_rule(
            actor=None,
            body=board,
            name="Directors for people receiving care",
            category="care-recipient",
            method="elected",
            seats=2,
            stakeholder_class=classes.get("people-receiving-care"),
        )
        gov.do_add_seat_rule(
            actor=None,
            body=board,
            name="Community director",
            category="community",
            method="appointed",
            seats=1,
            appointed_by="Town council",
        )
        made["bodies"] += 1
        made["elections"] += _care_election(care, workers, rng)
    ft = Organisation.objects.filter(kind="nhs-foundation-trust").order_by("pk").first()
    if ft is not None and not GoverningBody.objects.filter(organisation=ft).exists():
        council = gov.do_create_body(
            actor=None,
            organisation=ft,
            kind="council-of-governors",
            name="Council of governors",
            presets=["foundation-trust"],
        )
        public = ft.stakeholder_classes.filter(slug="public").first()
        for con in public.constituencies.all() if public else []:
            gov.do_add_seat_rule(
                actor=None,
                body=council,
                name=f"Public governors: {con.name}",
                category="public",
                method="elected",
                seats=3,
                stakeholder_class=public,
                constituency=con,
            )
        staff = ft.stakeholder_classes.filter(slug="staff").first()
        gov.do_add_seat_rule(
            actor=None,
            body=council,
            name="Staff governors",
            category="staff",
            method="elected",
            seats=3,
            stakeholder_class=staff,
        )
        gov.do_add_seat_rule(
            actor=None,
            body=council,
            name="Partner governors",
            category="partner",
            method="appointed",
            seats=4,
            appointed_by="Partner organisations",
        )
        made["bodies"] += 1
    school = Organisation.objects.filter(kind="co-operative-school").order_by("pk").first()
    if school is not None and not GoverningBody.objects.filter(organisation=school).exists():
        gb = gov.do_create_body(
            actor=None,
            organisation=school,
            kind="school-governing-body",
            name="Governing body",
            presets=["maintained-school", "co-operative-school"],
        )
        parents = school.stakeholder_classes.filter(slug="parents-and-carers").first()
        gov.do_add_seat_rule(
            actor=None,
            body=gb,
            name="Parent governors",
            category="parent",
            method="elected",
            seats=2,
            stakeholder_class=parents,
        )
        gov.do_add_seat_rule(
            actor=None,
            body=gb,
            name="PTA governors",
            category="parent",
            method="appointed",
            seats=2,
            appointed_by="PTA",
        )
        gov.do_add_seat_rule(actor=None, body=gb, name="Head teacher", category="head", method="ex-officio", seats=1)
        gov.do_add_seat_rule(
            actor=None,
            body=gb,
            name="Staff governor",
            category="staff",
            method="elected",
            seats=1,
            stakeholder_class=school.stakeholder_classes.filter(slug="staff").first(),
        )
        gov.do_add_seat_rule(
            actor=None,
            body=gb,
            name="Local authority governor",
            category="local-authority",
            method="appointed",
            seats=1,
            appointed_by="Local authority",
        )
        gov.do_add_seat_rule(
            actor=None, body=gb, name="Co-opted governors", category="community", method="co-opted", seats=2
        )
        council = gov.do_create_body(
            actor=None, organisation=school, kind="student-council", name="Student council", presets=["student-council"]
        )
        pupils = school.stakeholder_classes.filter(slug="pupils").first()
        gov.do_add_seat_rule(
            actor=None,
            body=council,
            name="Year representatives",
            category="pupil",
            method="elected",
            seats=7,
            stakeholder_class=pupils,
        )
        made["bodies"] += 2
    return made


def _care_election(care: Organisation, seat: Any, rng: random.Random) -> int:
    cutoff = timezone.localdate() - datetime.timedelta(days=61)
    # Only members who had joined by the cut-off are on the frozen electorate and may stand or vote.
    workers = list(
        Membership.objects.filter(
            organisation=care, stakeholder_class=seat.stakeholder_class, status=Status.ACTIVE, joined_on__lte=cutoff
        )
        .select_related("person")
        .order_by("pk")
    )
    if len(workers) < 5:
        return 0
    real_now = clock.now
    at = {"now": timezone.now() - datetime.timedelta(days=60)}
    clock.now = lambda: at["now"]
    try:
        start = at["now"]
        day = datetime.timedelta(days=1)
        e = services.do_create_election(
            actor=None,
            organisation=care,
            title="Election of worker directors",
            stakeholder_class=seat.stakeholder_class,
            seats=2,
            method="scottish-stv",
            seat_rule=seat,
            term_start=timezone.localdate() - 10 * day,
            cutoff_date=cutoff,
            notice_at=start - day,
            nominations_open=start,
            nominations_close=start + 10 * day,
            withdrawal_deadline=start + 12 * day,
            poll_open=start + 14 * day,
            poll_close=start + 28 * day,
        )
        at["now"] = start + datetime.timedelta(hours=1)
        for m in workers[:4]:
            services.do_nominate(
                actor=None,
                election=e,
                nominee=m,
                nominator=m,
                statement=f"{m.person.full_name}: fair rotas, proper pay, time to care.",
                interests="None",
            )
        services.do_freeze_electorate(actor=None, election=e)
        at["now"] = e.poll_open + datetime.timedelta(hours=1)
        ids = [c.pk for c in services.candidates(e)]
        for m in workers:
            if rng.random() < 0.7:
                prefs = rng.sample(ids, rng.randint(1, len(ids)))
                services.do_cast_vote(election=e, membership_id=m.pk, preferences=prefs)
        at["now"] = e.poll_close + datetime.timedelta(hours=1)
        services.do_add_paper_batch(
            actor=None, election=e, label="Postal votes", declared_count=3, text="1,2,,\n,,1,2\n2,,,1\n"
        )
        services.do_close_poll(actor=None, election=e)
        services.do_count(actor=None, election=e)
        services.do_declare(actor=None, election=e)
    finally:
        clock.now = real_now
    return 1
