"""Views: each reads the request, checks permission, calls a domain action or query, renders."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from coopgov.apps.accounts.models import User
from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import enqueue
from coopgov.apps.membership import register_csv, services
from coopgov.apps.membership.models import Membership, Person, Status, register_rows
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.permissions import Capability, capabilities_for, require_capability

from . import forms

REGISTER_PAGE_SIZE = 50


class AuthedRequest(HttpRequest):
    """A request behind ``login_required``: ``user`` is a signed-in account."""

    user: User


AUDIT_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    counts = Organisation.objects.filter(is_public=True).aggregate(n=Count("id"))
    return render(request, "site/home.html", {"organisation_count": counts["n"]})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "site/accessibility.html")


def directory(request: HttpRequest) -> HttpResponse:
    form = forms.DirectoryFilterForm(request.GET or None)
    qs = Organisation.objects.filter(is_public=True)
    if form.is_valid():
        d = form.cleaned_data
        qs = qs.search(d["q"])
        if d["sector"]:
            qs = qs.in_sector(d["sector"])
        if d["legal_form"]:
            qs = qs.filter(legal_form=d["legal_form"])
        if d["ownership_model"]:
            qs = qs.filter(ownership_model=d["ownership_model"])
    page = Paginator(qs.order_by("name"), 25).get_page(request.GET.get("page"))
    return render(request, "site/directory.html", {"filter_form": form, "page": page})


def _org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    caps = capabilities_for(request.user, org)
    if not org.is_public and not caps:
        raise Http404
    classes = org.stakeholder_classes.annotate(
        active=Count("memberships", filter=Q(memberships__status=Status.ACTIVE))
    ).prefetch_related("constituencies")
    groupings = org.groupingmember_set.select_related("grouping")
    my_membership = None
    if request.user.is_authenticated:
        my_membership = (
            Membership.objects.filter(organisation=org, person__user=request.user)
            .select_related("stakeholder_class", "constituency")
            .first()
        )
    return render(
        request,
        "site/organisation.html",
        {
            "org": org,
            "classes": classes,
            "groupings": groupings,
            "caps": {c.value for c in caps},
            "my_membership": my_membership,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: AuthedRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    if not org.open_to_applications:
        messages.info(request, f"{org.name} is not taking applications at the moment.")
        return redirect("site:organisation", slug=org.slug)
    person = Person.objects.filter(user=request.user).first()
    if person and Membership.objects.filter(organisation=org, person=person).exists():
        messages.info(request, f"You already have a membership of {org.name}.")
        return redirect("site:my-memberships")
    initial = {"full_name": person.full_name if person else request.user.get_full_name()}
    form = forms.ApplyForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        if person is None:
            person = Person.objects.create(
                full_name=form.cleaned_data["full_name"],
                email=request.user.email,
                user=request.user,
            )
        try:
            services.do_apply_for_membership(
                person=person,
                organisation=org,
                stakeholder_class=form.cleaned_data["class_obj"],
                constituency=form.cleaned_data["constituency_obj"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Your application to join {org.name} has been sent. An officer will review it.")
            return redirect("site:my-memberships")
    return render(request, "site/apply.html", {"org": org, "form": form})


@login_required
def my_memberships(request: AuthedRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(person__user=request.user)
        .select_related("organisation", "stakeholder_class", "constituency")
        .order_by("organisation__name")
    )
    officer_roles = request.user.org_roles.select_related("organisation").order_by("organisation__name")
    return render(request, "site/my_memberships.html", {"memberships": memberships, "officer_roles": officer_roles})


@login_required
def register(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_REGISTER)
    form = forms.RegisterFilterForm(request.GET or None, organisation=org)
    qs = Membership.objects.filter(organisation=org)
    if form.is_valid():
        qs = qs.filter_register(**form.cleaned_data)
    page = Paginator(qs.register_ids(), REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    members = register_rows(list(page.object_list))
    caps = capabilities_for(request.user, org)
    return render(
        request,
        "site/register.html",
        {
            "org": org,
            "filter_form": form,
            "page": page,
            "members": members,
            "can_manage": Capability.MANAGE_MEMBERS in caps,
        },
    )


@login_required
def register_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_REGISTER)
    from coopgov.apps.audit.services import record_event

    record_event(
        actor=request.user, action="membership.export", organisation=org, summary="Exported the member register as CSV"
    )
    response = StreamingHttpResponse(
        register_csv.iter_register_csv(register_csv.export_queryset(org)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-register.csv"'
    return response


@login_required
def member_detail(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_REGISTER)
    m = get_object_or_404(
        Membership.objects.select_related("person", "stakeholder_class", "constituency"),
        pk=membership_id,
        organisation=org,
    )
    can_manage = Capability.MANAGE_MEMBERS in capabilities_for(request.user, org)
    form = forms.ChangeStatusForm(request.POST or None, initial={"status": m.status})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            services.do_change_membership(
                actor=request.user,
                membership=m,
                status=form.cleaned_data["status"],
                effective_from=form.cleaned_data["effective_from"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, f"{m.person.full_name}'s membership has been updated.")
            return redirect("site:member", slug=org.slug, membership_id=m.pk)
    records = m.records.select_related("stakeholder_class", "constituency", "recorded_by").order_by(
        "effective_from", "id"
    )
    return render(
        request, "site/member.html", {"org": org, "m": m, "records": records, "form": form, "can_manage": can_manage}
    )


def _import_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1: upload; the file is checked (dry run) and every problem listed. Nothing is written."""
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_MEMBERS)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    token = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        name = Path(upload.name).name
        rows = data.count(b"\n")
        token = uuid.uuid4().hex
        (_import_dir() / f"{token}.csv").write_bytes(data)
        request.session[f"import:{token}"] = {"org": org.pk, "name": name}
        if rows > settings.INLINE_IMPORT_MAX_ROWS:
            job = enqueue(
                "membership.check", {"token": token, "org": org.pk, "name": name}, user=request.user, organisation=org
            )
            return redirect("site:job", slug=org.slug, job_id=job.pk)
        report = register_csv.check_register_csv(org, data, file_name=name)
    return render(request, "site/import.html", {"org": org, "form": form, "report": report, "token": token})


@login_required
@require_POST
def register_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 2: import the checked file — all rows or none."""
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_MEMBERS)
    token = request.POST.get("token", "")
    meta = request.session.get(f"import:{token}")
    path = _import_dir() / f"{token}.csv"
    if not meta or meta.get("org") != org.pk or not path.exists() or not token.isalnum():
        messages.error(request, "That upload has expired. Upload the file again.")
        return redirect("site:import", slug=org.slug)
    data = path.read_bytes()
    if data.count(b"\n") > settings.INLINE_IMPORT_MAX_ROWS:
        job = enqueue(
            "membership.import",
            {"token": token, "org": org.pk, "name": meta["name"]},
            user=request.user,
            organisation=org,
        )
        return redirect("site:job", slug=org.slug, job_id=job.pk)
    report = register_csv.do_import_register_csv(
        actor=request.user, organisation=org, data=data, file_name=meta["name"]
    )
    path.unlink(missing_ok=True)
    del request.session[f"import:{token}"]
    if report.committed:
        messages.success(request, f"Imported {report.memberships_created} members from {report.file_name}.")
        return redirect("site:register", slug=org.slug)
    return render(request, "site/import.html", {"org": org, "form": forms.ImportForm(), "report": report, "token": ""})


@login_required
def job_status(request: HttpRequest, slug: str, job_id: uuid.UUID) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_MEMBERS)
    job = get_object_or_404(Job, pk=job_id, organisation=org)
    return render(request, "site/job.html", {"org": org, "job": job})


@login_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse | StreamingHttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_AUDIT)
    qs = AuditEvent.objects.for_organisation(org.pk)
    action = request.GET.get("action", "")
    if action:
        qs = qs.filter(action=action)
    if request.GET.get("format") == "csv":
        from .exports import audit_csv

        return audit_csv(org, qs)
    page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = AuditEvent.objects.for_organisation(org.pk).order_by("action").values_list("action", flat=True).distinct()
    return render(request, "site/audit.html", {"org": org, "page": page, "actions": actions, "action": action})
