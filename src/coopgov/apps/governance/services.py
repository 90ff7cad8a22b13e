"""Domain actions on governing bodies; each validates, writes in a transaction and audits."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from coopgov.apps.audit.services import record_event
from coopgov.apps.membership.models import Person
from coopgov.apps.orgs.models import Constituency, Organisation, StakeholderClass

from . import rules
from .models import CompositionRule, GoverningBody, OfficeHolder, RuleKind, SeatMethod, SeatRule


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@transaction.atomic
def do_create_body(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    name: str,
    description: str = "",
    counting_method: str = "scottish-stv",
    presets: list[str] | None = None,
) -> GoverningBody:
    base = slugify(name)[:190] or "body"
    slug, n = base, 1
    while GoverningBody.objects.filter(organisation=organisation, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    body = GoverningBody(
        organisation=organisation,
        kind=kind,
        name=name,
        slug=slug,
        description=description,
        counting_method=counting_method,
    )
    body.full_clean()
    body.save()
    for p in presets or []:
        if p not in rules.PRESETS:
            raise ValidationError({"presets": f"Unknown composition preset {p!r}."})
        CompositionRule.objects.create(body=body, kind=RuleKind.PRESET, preset=p)
    record_event(
        actor=actor,
        action="governance.body.create",
        organisation=organisation,
        obj=body,
        summary=f"Created {body.get_kind_display().lower()} {name}",
        after={"kind": kind, "presets": presets or []},
    )
    return body


@transaction.atomic
def do_add_seat_rule(
    *,
    actor: Any,
    body: GoverningBody,
    name: str,
    category: str,
    method: str,
    seats: int = 1,
    stakeholder_class: StakeholderClass | None = None,
    constituency: Constituency | None = None,
    appointed_by: str = "",
    term_months: int = 36,
    cohorts: int = 1,
    max_consecutive_terms: int | None = None,
) -> SeatRule:
    if method == SeatMethod.ELECTED and stakeholder_class is None:
        raise ValidationError({"stakeholder_class": "An elected seat needs the stakeholder class that elects it."})
    if method == SeatMethod.APPOINTED and not appointed_by:
        raise ValidationError({"appointed_by": "An appointed seat needs the body that appoints it."})
    if stakeholder_class is not None and stakeholder_class.organisation_id != body.organisation_id:
        raise ValidationError({"stakeholder_class": "That stakeholder class belongs to another organisation."})
    if constituency is not None and constituency.stakeholder_class_id != getattr(stakeholder_class, "pk", None):
        raise ValidationError({"constituency": "The constituency must be part of the electing class."})
    if cohorts < 1 or cohorts > max(seats, 1):
        raise ValidationError({"cohorts": "Staggered cohorts must be between 1 and the number of seats."})
    seat = SeatRule(
        body=body,
        name=name,
        category=category,
        method=method,
        seats=seats,
        stakeholder_class=stakeholder_class,
        constituency=constituency,
        appointed_by=slugify(appointed_by),
        term_months=term_months,
        cohorts=cohorts,
        max_consecutive_terms=max_consecutive_terms,
        position=body.seat_rules.count(),
    )
    seat.full_clean()
    seat.save()
    record_event(
        actor=actor,
        action="governance.seat.add",
        organisation=body.organisation,
        obj=seat,
        summary=f"Added {seats} {seat.get_method_display().lower()} seat(s) '{name}' to {body.name}",
        after={"category": category, "method": method, "seats": seats, "appointed_by": seat.appointed_by},
    )
    return seat


def vacancies_on(seat: SeatRule, day: datetime.date) -> int:
    """Seats of ``seat`` nobody holds on ``day`` (with staggered terms, the retiring cohort's)."""
    return max(seat.seats - OfficeHolder.objects.filter(seat_rule=seat).current_on(day).count(), 0)


def consecutive_terms(seat: SeatRule, person: Person, before: datetime.date) -> int:
    """How many terms ``person`` has held on ``seat`` back to back, ending at ``before``."""
    terms = list(
        OfficeHolder.objects.filter(seat_rule=seat, person=person, start_date__lt=before).order_by("-start_date")
    )
    n, edge = 0, before
    for t in terms:
        if t.end_date is None or t.end_date >= edge:
            n += 1
            edge = t.start_date
        else:
            break
    return n


@transaction.atomic
def do_take_office(
    *,
    actor: Any,
    seat: SeatRule,
    person: Person,
    start_date: datetime.date,
    how: str = "",
    source: str = "",
    end_date: datetime.date | None = None,
) -> OfficeHolder:
    """``person`` takes one of ``seat``'s seats from ``start_date`` for a term."""
    seat = SeatRule.objects.select_for_update().get(pk=seat.pk)
    end_date = end_date or add_months(start_date, seat.term_months)
    holding = OfficeHolder.objects.filter(seat_rule=seat).current_on(start_date)
    # A holder whose term ends on start_date is not counted (terms run to, not including, end_date).
    if holding.filter(person=person).exists():
        raise ValidationError(f"{person.full_name} already holds a seat of {seat.name} on {start_date:%-d %B %Y}.")
    if holding.count() >= seat.seats:
        raise ValidationError(f"All {seat.seats} seat(s) of {seat.name} are filled on {start_date:%-d %B %Y}.")
    if seat.max_consecutive_terms is not None and consecutive_terms(seat, person, start_date) >= (
        seat.max_consecutive_terms
    ):
        raise ValidationError(
            f"{person.full_name} has served {seat.max_consecutive_terms} consecutive term(s) on {seat.name}, "
            "the most the rules allow."
        )
    holder = OfficeHolder.objects.create(
        seat_rule=seat,
        person=person,
        start_date=start_date,
        end_date=end_date,
        how=how or seat.get_method_display().lower(),
        source=source,
    )
    record_event(
        actor=actor,
        action="governance.office.take",
        organisation=seat.body.organisation,
        obj=holder,
        summary=f"{person.full_name} holds {seat.name} from {start_date:%Y-%m-%d} to {end_date:%Y-%m-%d}",
    )
    return holder


@transaction.atomic
def do_end_office(*, actor: Any, holder: OfficeHolder, on: datetime.date, reason: str) -> OfficeHolder:
    """End a term early (resignation, removal, death): creates a casual vacancy."""
    if on < holder.start_date:
        raise ValidationError("A term cannot end before it starts.")
    holder.end_date = on
    holder.ended_reason = reason
    holder.save(update_fields=["end_date", "ended_reason"])
    record_event(
        actor=actor,
        action="governance.office.end",
        organisation=holder.seat_rule.body.organisation,
        obj=holder,
        summary=f"{holder.person.full_name} left {holder.seat_rule.name} on {on:%Y-%m-%d}: {reason}",
    )
    return holder


@transaction.atomic
def do_add_composition_rule(
    *, actor: Any, body: GoverningBody, kind: str, preset: str = "", params: dict[str, Any] | None = None
) -> CompositionRule:
    params = params or {}
    if kind == RuleKind.PRESET:
        if preset not in rules.PRESETS:
            raise ValidationError({"preset": "Choose a preset." if not preset else f"Unknown preset {preset!r}."})
    else:
        preset = ""
        try:
            rules.custom_rule(kind, params)
        except rules.RuleError as exc:
            raise ValidationError({exc.field or "params": str(exc)}) from None
    rule = CompositionRule.objects.create(body=body, kind=kind, preset=preset, params=params)
    record_event(
        actor=actor,
        action="governance.rule.add",
        organisation=body.organisation,
        obj=rule,
        summary=f"Added composition rule {preset or kind} to {body.name}",
        after={"kind": kind, "preset": preset, "params": params},
    )
    return rule


# --- queries ----------------------------------------------------------------------------------


def _composition(seats: list[SeatRule], filled: dict[int, int]) -> rules.Composition:
    return rules.Composition(
        tuple(
            rules.SeatGroup(
                label=s.name,
                category=s.category,
                method=s.method,
                seats=s.seats,
                filled=filled.get(s.pk, 0),
                electorate=s.electorate_slug,
                appointed_by=s.appointed_by,
            )
            for s in seats
        )
    )


def _filled(body_ids: list[int], on: datetime.date) -> dict[int, int]:
    filled: dict[int, int] = {}
    holders = OfficeHolder.objects.filter(seat_rule__body_id__in=body_ids).current_on(on)
    for seat_id in holders.values_list("seat_rule_id", flat=True):
        filled[seat_id] = filled.get(seat_id, 0) + 1
    return filled


def composition_of(body: GoverningBody, on: datetime.date | None = None) -> rules.Composition:
    on = on or timezone.localdate()
    seats = list(body.seat_rules.select_related("stakeholder_class"))
    return _composition(seats, _filled([body.pk], on))


@dataclass(frozen=True)
class BodyCompliance:
    body: GoverningBody
    composition: rules.Composition
    checks: list[rules.Check]

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks)


def check_bodies(bodies: list[GoverningBody], on: datetime.date | None = None) -> list[BodyCompliance]:
    """Compliance of many bodies in a fixed number of queries (for the overview pages)."""
    on = on or timezone.localdate()
    ids = [b.pk for b in bodies]
    seats_by_body: dict[int, list[SeatRule]] = {}
    for seat in SeatRule.objects.filter(body_id__in=ids).select_related("stakeholder_class"):
        seats_by_body.setdefault(seat.body_id, []).append(seat)
    rules_by_body: dict[int, list[CompositionRule]] = {}
    for rule in CompositionRule.objects.filter(body_id__in=ids):
        rules_by_body.setdefault(rule.body_id, []).append(rule)
    filled = _filled(ids, on)
    return [_check(b, _composition(seats_by_body.get(b.pk, []), filled), rules_by_body.get(b.pk, [])) for b in bodies]


def check_body(body: GoverningBody, on: datetime.date | None = None) -> BodyCompliance:
    return _check(body, composition_of(body, on), list(body.composition_rules.all()))


def _check(body: GoverningBody, comp: rules.Composition, body_rules: list[CompositionRule]) -> BodyCompliance:
    checks: list[rules.Check] = []
    for r in body_rules:
        if r.kind == RuleKind.PRESET:
            checks.extend(rules.check_preset(r.preset, comp))
        else:
            try:
                checks.append(rules.custom_rule(r.kind, r.params)(comp))
            except rules.RuleError as exc:
                checks.append(rules.Check(f"Custom rule {r.pk}", False, f"The rule is set up wrongly: {exc}"))
    return BodyCompliance(body=body, composition=comp, checks=checks)
