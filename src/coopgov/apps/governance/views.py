"""Governing bodies: compliance per organisation, body pages, and an overview for commissioners."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from coopgov.apps.membership.models import Person
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.permissions import Capability, has_capability, require_capability

from . import forms, services
from .models import GoverningBody, OfficeHolder, SeatRule


def _org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    if not org.is_public and not has_capability(request.user, org, Capability.VIEW_AUDIT):
        raise Http404
    reports = services.check_bodies(list(GoverningBody.objects.filter(organisation=org)))
    return render(
        request,
        "governance/compliance.html",
        {"org": org, "reports": reports, "can_manage": has_capability(request.user, org, Capability.MANAGE_SETTINGS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_SETTINGS)
    form = forms.BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.do_create_body(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{body.name} created.")
            return redirect("governance:body", org.slug, body.slug)
    return render(request, "governance/body_create.html", {"org": org, "form": form})


@require_http_methods(["GET", "POST"])
def body_detail(request: HttpRequest, slug: str, body_slug: str) -> HttpResponse:
    org = _org(slug)
    if not org.is_public and not has_capability(request.user, org, Capability.VIEW_AUDIT):
        raise Http404
    body = get_object_or_404(GoverningBody, organisation=org, slug=body_slug)
    can_manage = has_capability(request.user, org, Capability.MANAGE_SETTINGS)
    seats = list(body.seat_rules.select_related("stakeholder_class", "constituency"))
    seat_form = forms.SeatForm(request.POST if request.POST.get("action") == "seat" else None, organisation=org)
    appoint_form = forms.AppointForm(
        request.POST if request.POST.get("action") == "appoint" else None,
        seats=[(s.pk, s.name) for s in seats],
        initial={"start_date": timezone.localdate()},
    )
    rule_form = forms.RuleForm(request.POST if request.POST.get("action") == "rule" else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("You do not have permission to manage settings here.")
        try:
            if request.POST.get("action") == "seat" and seat_form.is_valid():
                services.do_add_seat_rule(actor=request.user, body=body, **seat_form.cleaned_data)
                messages.success(request, "Seats added.")
                return redirect("governance:body", org.slug, body.slug)
            if request.POST.get("action") == "rule" and rule_form.is_valid():
                d = rule_form.cleaned_data
                params = {k: d[k] for k in ("category", "n", "numerator", "denominator") if d[k] not in (None, "")}
                services.do_add_composition_rule(
                    actor=request.user, body=body, kind=d["kind"], preset=d["preset"], params=params
                )
                messages.success(request, "Composition rule added.")
                return redirect("governance:body", org.slug, body.slug)
            if request.POST.get("action") == "appoint" and appoint_form.is_valid():
                d = appoint_form.cleaned_data
                seat = get_object_or_404(SeatRule, pk=d["seat"], body=body)
                person = Person.objects.filter(email__iexact=d["person_email"]).first()
                if person is None:
                    appoint_form.add_error("person_email", "No person with that email address is known.")
                else:
                    services.do_take_office(actor=request.user, seat=seat, person=person, start_date=d["start_date"])
                    messages.success(request, f"{person.full_name} takes office.")
                    return redirect("governance:body", org.slug, body.slug)
        except ValidationError as exc:
            action = request.POST.get("action")
            target = seat_form if action == "seat" else rule_form if action == "rule" else appoint_form
            if hasattr(exc, "error_dict"):
                for field, errs in exc.error_dict.items():
                    target.add_error(field if field in target.fields else None, errs)
            else:
                target.add_error(None, exc)
    today = timezone.localdate()
    holders = OfficeHolder.objects.filter(seat_rule__body=body).select_related("person", "seat_rule")
    current = [h for h in holders if h.start_date <= today and (h.end_date is None or h.end_date > today)]
    held: dict[int, int] = {}
    for h in current:
        held[h.seat_rule_id] = held.get(h.seat_rule_id, 0) + 1
    for s in seats:
        s.vacant = max(s.seats - held.get(s.pk, 0), 0)  # type: ignore[attr-defined]
    form = next((f for f in (seat_form, appoint_form, rule_form) if f.errors), None)
    return render(
        request,
        "governance/body.html",
        {
            "org": org,
            "body": body,
            "seats": seats,
            "report": services.check_body(body),
            "current": current,
            "history": holders,
            "can_manage": can_manage,
            "seat_form": seat_form,
            "appoint_form": appoint_form,
            "rule_form": rule_form,
            "form": form,
        },
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Every public organisation's bodies, met or not: for commissioners and regulators."""
    user: Any = request.user
    if not (user.is_superuser or getattr(user, "platform_role", "") in {"commissioner", "regulator"}):
        raise PermissionDenied("The compliance overview is for commissioners and regulators.")
    bodies = GoverningBody.objects.filter(organisation__is_public=True).select_related("organisation")
    reports = services.check_bodies(list(bodies.order_by("organisation__name", "name")))
    return render(
        request,
        "governance/overview.html",
        {"reports": reports, "not_met": sum(1 for r in reports if not r.met)},
    )
