"""JSON API for organisations, stakeholder classes and memberships.

Permissions are the same as the pages': the directory is public; registers, membership changes and
history need a role in the organisation (:mod:`coopgov.apps.orgs.permissions`).  Errors are JSON
``{"detail": "…"}`` with a 4xx status.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query
from ninja import Status as Reply
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from coopgov.apps.membership import eligibility, services
from coopgov.apps.membership.models import Membership, Person, Status, register_rows
from coopgov.apps.orgs.models import Constituency, Organisation
from coopgov.apps.orgs.permissions import Capability, require_capability

from .auth import OptionalAuth, session_auth, token_auth
from .schemas import (
    EligibilityOut,
    ErrorOut,
    MembershipChangeIn,
    MembershipIn,
    MembershipOut,
    MembershipPage,
    MembershipRecordOut,
    OrganisationDetailOut,
    OrganisationOut,
)

api = NinjaAPI(
    title="coopgov API",
    version="1",
    description="Organisations, stakeholder classes and memberships of co-operative public services.",
    auth=[token_auth, session_auth],
    urls_namespace="api",
)
PUBLIC = [OptionalAuth()]
MAX_PAGE_SIZE = 500


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Permission denied."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Authentication required: send 'Authorization: Bearer <token>'."}, status=401
    )


@api.exception_handler(NinjaValidationError)
def _bad_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    parts = []
    for err in exc.errors:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "payload", "query"))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return api.create_response(request, {"detail": "; ".join(parts) or "Invalid input."}, status=422)


def _org_out(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "slug": org.slug,
        "kind": org.kind,
        "sectors": org.sector_list,
        "legal_form": org.legal_form,
        "ownership_model": org.ownership_model,
        "asset_lock": org.asset_lock,
        "area": org.area,
        "website": org.website,
        "companies_house_number": org.companies_house_number,
        "fca_society_number": org.fca_society_number,
        "charity_number": org.charity_number,
        "cqc_provider_id": org.cqc_provider_id,
        "school_urn": org.school_urn,
        "police_force_code": org.police_force_code,
    }


def _membership_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "member_number": m.member_number,
        "full_name": m.person.full_name,
        "email": m.person.email,
        "stakeholder_class": m.stakeholder_class.name,
        "constituency": m.constituency.name if m.constituency else None,
        "status": m.status,
        "voting_rights": m.voting_rights,
        "joined_on": m.joined_on,
        "ended_on": m.ended_on,
    }


def _public_org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug, is_public=True)


@api.get("/organisations", response=list[OrganisationOut], auth=PUBLIC, tags=["organisations"])
def list_organisations(
    request: HttpRequest, q: str = "", sector: str = "", legal_form: str = "", ownership_model: str = ""
) -> list[dict[str, Any]]:
    """The public directory, with the same search and filters as the directory page."""
    qs = Organisation.objects.filter(is_public=True).search(q)
    if sector:
        qs = qs.in_sector(sector)
    if legal_form:
        qs = qs.filter(legal_form=legal_form)
    if ownership_model:
        qs = qs.filter(ownership_model=ownership_model)
    return [_org_out(o) for o in qs]


@api.get(
    "/organisations/{slug}", response={200: OrganisationDetailOut, 404: ErrorOut}, auth=PUBLIC, tags=["organisations"]
)
def get_organisation(request: HttpRequest, slug: str) -> dict[str, Any]:
    org = _public_org(slug)
    classes = org.stakeholder_classes.prefetch_related("constituencies").annotate(
        active=Count("memberships", filter=Q(memberships__status=Status.ACTIVE))
    )
    out = _org_out(org)
    out["description"] = org.description
    out["stakeholder_classes"] = [
        {
            "id": c.pk,
            "name": c.name,
            "slug": c.slug,
            "description": c.description,
            "voting_by_default": c.voting_by_default,
            "active_members": getattr(c, "active", None),
            "constituencies": [{"id": k.pk, "name": k.name, "slug": k.slug} for k in c.constituencies.all()],
        }
        for c in classes
    ]
    return out


@api.get(
    "/organisations/{slug}/memberships",
    response={200: MembershipPage, 403: ErrorOut, 404: ErrorOut},
    tags=["memberships"],
)
def list_memberships(
    request: HttpRequest,
    slug: str,
    q: str = "",
    status: str = "",
    stakeholder_class: str = "",
    page: int = 1,
    page_size: int = Query(100, le=MAX_PAGE_SIZE, ge=1),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """The member register (officers only)."""
    org = get_object_or_404(Organisation, slug=slug)
    require_capability(request.user, org, Capability.VIEW_REGISTER)
    qs = Membership.objects.filter(organisation=org).filter_register(
        q=q, stakeholder_class=stakeholder_class, status=status
    )
    count = qs.count()
    page = max(page, 1)
    rows = register_rows(list(qs.register_ids()[(page - 1) * page_size : page * page_size]))
    return {"count": count, "page": page, "page_size": page_size, "results": [_membership_out(m) for m in rows]}


@api.post(
    "/organisations/{slug}/memberships",
    response={201: MembershipOut, 400: ErrorOut, 403: ErrorOut},
    tags=["memberships"],
)
def add_membership(request: HttpRequest, slug: str, payload: MembershipIn) -> Reply[dict[str, Any]]:
    org = get_object_or_404(Organisation, slug=slug)
    require_capability(request.user, org, Capability.MANAGE_MEMBERS)
    sc = org.stakeholder_classes.filter(Q(slug=payload.stakeholder_class) | Q(name=payload.stakeholder_class)).first()
    if sc is None:
        raise ValidationError(f"stakeholder_class: unknown class {payload.stakeholder_class!r}")
    constituency = None
    if payload.constituency:
        constituency = Constituency.objects.filter(
            Q(slug=payload.constituency) | Q(name=payload.constituency), stakeholder_class=sc
        ).first()
        if constituency is None:
            raise ValidationError(f"constituency: {sc.name} has no constituency {payload.constituency!r}")
    person = Person.objects.filter(email__iexact=payload.email).first() if payload.email else None
    if person is None:
        person = Person.objects.create(full_name=payload.full_name, email=payload.email.lower())
    m = services.do_add_member(
        actor=request.user,
        organisation=org,
        person=person,
        stakeholder_class=sc,
        constituency=constituency,
        joined_on=payload.joined_on,
        member_number=payload.member_number,
    )
    return Reply(201, _membership_out(m))


def _membership(request: HttpRequest, slug: str, membership_id: int, cap: Capability) -> Membership:
    org = get_object_or_404(Organisation, slug=slug)
    require_capability(request.user, org, cap)
    return get_object_or_404(
        Membership.objects.select_related("person", "stakeholder_class", "constituency", "organisation"),
        pk=membership_id,
        organisation=org,
    )


@api.get(
    "/organisations/{slug}/memberships/{membership_id}",
    response={200: MembershipOut, 403: ErrorOut, 404: ErrorOut},
    tags=["memberships"],
)
def get_membership(request: HttpRequest, slug: str, membership_id: int) -> dict[str, Any]:
    return _membership_out(_membership(request, slug, membership_id, Capability.VIEW_REGISTER))


@api.patch(
    "/organisations/{slug}/memberships/{membership_id}",
    response={200: MembershipOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    tags=["memberships"],
)
def change_membership(
    request: HttpRequest, slug: str, membership_id: int, payload: MembershipChangeIn
) -> dict[str, Any]:
    m = _membership(request, slug, membership_id, Capability.MANAGE_MEMBERS)
    m = services.do_change_membership(
        actor=request.user,
        membership=m,
        status=payload.status,
        voting_rights=payload.voting_rights,
        effective_from=payload.effective_from,
        reason=payload.reason,
    )
    return _membership_out(m)


@api.get(
    "/organisations/{slug}/memberships/{membership_id}/history",
    response={200: list[MembershipRecordOut], 403: ErrorOut, 404: ErrorOut},
    tags=["memberships"],
)
def membership_history(request: HttpRequest, slug: str, membership_id: int) -> list[Any]:
    m = _membership(request, slug, membership_id, Capability.VIEW_REGISTER)
    return list(m.records.order_by("effective_from", "id"))


@api.get(
    "/organisations/{slug}/eligibility",
    response={200: EligibilityOut, 403: ErrorOut, 404: ErrorOut},
    tags=["memberships"],
)
def eligibility_count(
    request: HttpRequest, slug: str, as_at: datetime.date, stakeholder_class: str = "", constituency: str = ""
) -> dict[str, Any]:
    """How many members could vote on a date, optionally in one class or constituency."""
    org = get_object_or_404(Organisation, slug=slug)
    require_capability(request.user, org, Capability.VIEW_REGISTER)
    sc_id = (
        org.stakeholder_classes.filter(slug=stakeholder_class).values_list("id", flat=True).first()
        if stakeholder_class
        else None
    )
    c_id = (
        Constituency.objects.filter(stakeholder_class__organisation=org, slug=constituency)
        .values_list("id", flat=True)
        .first()
        if constituency
        else None
    )
    n = eligibility.eligible_voters_as_at(org.pk, as_at, stakeholder_class_id=sc_id, constituency_id=c_id).count()
    return {"as_at": as_at, "eligible_voters": n}


from coopgov.apps.elections.api import router as elections_router  # noqa: E402  (after api is defined)

api.add_router("/elections/", elections_router)
from coopgov.apps.budgets.api import router as budgets_router  # noqa: E402

api.add_router("/budgets/", budgets_router)
from coopgov.apps.providers.api import router as providers_router  # noqa: E402

api.add_router("/providers/", providers_router)
