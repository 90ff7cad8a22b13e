"""Public pages: the provider directory, a provider's page with its evidence, the comparison.

Views are thin: read the filters, query (or take the cached comparison), render. The override
form checks permission and calls :func:`services.do_override_provider_model`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from coopgov.apps.jobs.models import Job
from coopgov.apps.jobs.runner import enqueue
from coopgov.ownership import KEY_QUESTIONS

from . import comparison, forms, services
from .models import RATING_FIELDS, Location, Provider, ProviderImport

PAGE_SIZE = 25
UNRATED = ["", "Not rated", "Inspected but not rated", "Insufficient evidence to rate"]


def _csv_bytes(rows: Sequence[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue()


def _download(rows: Sequence[dict[str, Any]], fmt: str, name: str, meta: dict[str, Any] | None = None) -> HttpResponse:
    if fmt == "json":
        body = json.dumps({**(meta or {}), "rows": list(rows)}, indent=2, ensure_ascii=False)
        resp = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        resp = HttpResponse(_csv_bytes(rows), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


# ---------------------------------------------------------------------------------- directory


def _directory_queryset(form: forms.DirectoryFilterForm) -> QuerySet[Location]:
    qs = Location.objects.filter(provider__current=True)
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    q = d["q"].strip()
    if q:
        cond = (
            Q(name__icontains=q)
            | Q(provider__name__icontains=q)
            | Q(local_authority__icontains=q)
            | Q(postcode__istartswith=q)
        )
        if q.isalpha() and len(q) <= 2:
            cond |= Q(postcode_area=q.upper())
        qs = qs.filter(cond)
    if d["model"]:
        qs = qs.filter(provider__model=d["model"])
    if d["service_type"]:
        qs = qs.filter(primary_service_type=d["service_type"])
    if d["region"]:
        qs = qs.filter(region=d["region"])
    if d["flag"] == "overridden":
        qs = qs.exclude(provider__override_model="")
    elif d["flag"]:
        qs = qs.filter(**{f"provider__{d['flag']}": True})
    if d["rating"] == "none":
        qs = qs.filter(rating_overall__in=UNRATED)
    elif d["rating"]:
        qs = qs.filter(rating_overall=d["rating"])
    return qs


def directory(request: HttpRequest) -> HttpResponse:
    choices = comparison.filter_choices()
    form = forms.DirectoryFilterForm(request.GET or None, choices=choices)
    qs = _directory_queryset(form)
    # page through ids on the (name, id) index, then load only that page's rows with their providers
    page = Paginator(qs.order_by("name", "id").values_list("id", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    by_id = {loc.pk: loc for loc in Location.objects.filter(id__in=ids).select_related("provider")}
    page.object_list = [by_id[i] for i in ids]  # type: ignore[misc]  # the page now holds the rows
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "providers/directory.html",
        {
            "filter_form": form,
            "page": page,
            "query": query.urlencode(),
            "can_import": services.can_import(request.user),
        },
    )


def directory_download(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    form = forms.DirectoryFilterForm(request.GET or None, choices=comparison.filter_choices())
    qs = _directory_queryset(form).select_related("provider").order_by("name", "id")
    fields = [
        "cqc_location_id",
        "name",
        "postcode",
        "region",
        "local_authority",
        "service_types",
        "beds",
        *KEY_QUESTIONS,
        "publication_date",
        "cqc_provider_id",
        "provider_name",
        "ownership_model",
        "classification_rule",
        "overridden",
    ]

    def row(loc: Location) -> dict[str, Any]:
        d = loc.as_dict()
        d["service_types"] = "; ".join(loc.service_types)
        p = loc.provider
        d.update(
            cqc_provider_id=p.cqc_provider_id,
            provider_name=p.name,
            ownership_model=p.model,
            classification_rule="OVERRIDE" if p.override_model else p.automatic_rule,
            overridden="yes" if p.override_model else "no",
        )
        return d

    if fmt == "json":
        return _download([row(loc) for loc in qs.iterator(chunk_size=2000)], "json", "care-locations")

    def stream() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for loc in qs.iterator(chunk_size=2000):
            w.writerow(row(loc))
            if buf.tell() > 65536:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    resp = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = 'attachment; filename="care-locations.csv"'
    return resp


# ------------------------------------------------------------------------------- provider page


def _provider(provider_id: str) -> Provider:
    return get_object_or_404(Provider, cqc_provider_id=provider_id)


def provider_detail(request: HttpRequest, provider_id: str) -> HttpResponse:
    provider = _provider(provider_id)
    locations = list(provider.locations.order_by("name", "id"))
    history = list(provider.overrides.all()[:50])
    c = provider.classification or {}
    return render(
        request,
        "providers/provider.html",
        {
            "provider": provider,
            "locations": locations,
            "key_questions": list(RATING_FIELDS),
            "history": history,
            "c": c,
            "other_findings": [f for f in c.get("findings", []) if f.get("rule") != c.get("rule")],
            "can_override": services.can_override(request.user),
        },
    )


def provider_json(request: HttpRequest, provider_id: str) -> HttpResponse:
    p = _provider(provider_id)
    payload = {
        "cqc_provider_id": p.cqc_provider_id,
        "name": p.name,
        "ownership_model": p.model,
        "automatic_classification": p.classification,
        "override": (
            {
                "model": p.override_model,
                "reason": p.override_reason,
                "at": p.overridden_at.isoformat() if p.overridden_at else None,
            }
            if p.override_model
            else None
        ),
        "override_history": [
            {
                "model": o.model,
                "previous_model": o.previous_model,
                "reason": o.reason,
                "at": o.at.isoformat(),
            }
            for o in p.overrides.all()
        ],
        "locations": [loc.as_dict() for loc in p.locations.order_by("name", "id")],
    }
    resp = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    resp["Content-Disposition"] = f'attachment; filename="provider-{p.cqc_provider_id}.json"'
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def provider_override(request: HttpRequest, provider_id: str) -> HttpResponse:
    provider = _provider(provider_id)
    services.require_override_permission(request.user)
    form = forms.OverrideForm(
        request.POST if request.method == "POST" else None, initial={"model": provider.override_model}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.do_override_provider_model(
                actor=request.user,
                provider=provider,
                model=form.cleaned_data["model"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, f"The ownership model of {provider.name} has been changed.")
            return redirect("providers:provider", provider_id=provider.cqc_provider_id)
    return render(request, "providers/override.html", {"provider": provider, "form": form})


# --------------------------------------------------------------------------------- comparison


def _filters(request: HttpRequest) -> tuple[forms.ComparisonFilterForm, comparison.Filters]:
    form = forms.ComparisonFilterForm(request.GET or None, choices=comparison.filter_choices())
    f = comparison.Filters()
    if form.is_valid():
        d = form.cleaned_data
        f = comparison.Filters(
            key_question=d["key_question"] or "Overall",
            service_type=d["service_type"],
            region=d["region"],
            year=int(d["year"]) if d["year"] else None,
            by=d["by"],
        )
    return form, f


SHARE_CELLS = (
    "rated",
    "good_or_outstanding",
    "good_or_outstanding_pct",
    "good_or_outstanding_ci",
    "inadequate",
    "inadequate_pct",
    "inadequate_ci",
)
_TERM_NAMES = {"ownership": "Ownership", "service_type": "Service type", "region": "Region", "year": "Year"}


def term_label(term: str) -> str:
    """``"ownership[Employee-owned]"`` → ``"Ownership: Employee-owned"``; the size term in words."""
    if term.startswith("size"):
        return "Size (odds ratio per doubling of beds)"
    name, sep, rest = term.partition("[")
    if not sep:
        return term
    return f"{_TERM_NAMES.get(name, name)}: {rest.removesuffix(']')}"


def compare(request: HttpRequest) -> HttpResponse:
    form, f = _filters(request)
    result = comparison.cached_comparison(f)
    group_fields = list(f.group_by)
    return render(
        request,
        "providers/compare.html",
        {
            "filter_form": form,
            "filters": f,
            "result": result,
            "group_headings": [
                "Ownership model" if g == "ownership" else comparison.BREAKDOWNS[g] for g in group_fields
            ],
            "group_fields": group_fields,
            "rows": [
                {"groups": [r.get(g, "") for g in group_fields], "cells": [r[k] for k in SHARE_CELLS]}
                for r in result.published
            ],
            "regression": [
                {**o, "label": term_label(o["term"]), "p": "<0.0001" if float(o["p_value"]) < 0.0001 else o["p_value"]}
                for o in comparison.regression_rows(result)
            ],
            "good_chart": comparison.svg_bars(result, "good"),
            "inadequate_chart": comparison.svg_bars(result, "inadequate"),
            "threshold": comparison.SUPPRESS_BELOW,
            "query": request.GET.urlencode(),
        },
    )


def compare_download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    _, f = _filters(request)
    result = comparison.cached_comparison(f)
    meta = {
        "filters": {
            "key_question": f.key_question,
            "service_type": f.service_type,
            "region": f.region,
            "year": f.year,
            "by": f.by,
        },
        "units": result.units,
    }
    if table == "shares":
        meta["suppressed_below"] = comparison.SUPPRESS_BELOW
        return _download(comparison.share_download_rows(result), fmt, "ownership-ratings-shares", meta)
    if table == "regression":
        if result.regression is not None:
            meta["warnings"] = list(result.regression.warnings)
            meta["dropped"] = list(result.regression.dropped)
        else:
            meta["error"] = result.regression_error
        return _download(comparison.regression_rows(result), fmt, "ownership-ratings-regression", meta)
    raise Http404


def compare_chart(request: HttpRequest, fmt: str) -> HttpResponse:
    from coopgov.ownership import OwnershipInputError, share_chart

    _, f = _filters(request)
    measure = "inadequate" if request.GET.get("measure") == "inadequate" else "good"
    result = comparison.cached_comparison(f)
    rows = result.chart_rows(measure)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"chart.{fmt}"
        try:
            share_chart(rows, path, measure=measure)
        except OwnershipInputError:
            raise Http404("nothing to chart") from None
        data = path.read_bytes()
    resp = HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    resp["Content-Disposition"] = f'attachment; filename="ownership-ratings-{measure}.{fmt}"'
    return resp


# ------------------------------------------------------------------------------------- import


def _require_import(user: Any) -> None:
    if not services.can_import(user):
        raise PermissionDenied("Only regulators and administrators can import the CQC register.")


@login_required
@require_http_methods(["GET", "POST"])
def import_files(request: HttpRequest) -> HttpResponse:
    """Upload CQC files and registers; the import runs as a background job (files can be large)."""
    _require_import(request.user)
    bound = request.method == "POST"
    form = forms.ImportForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        folder = Path(settings.MEDIA_ROOT) / "provider_imports" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        paths: list[str] = []
        for name in form.fields:
            upload = form.cleaned_data.get(name)
            if not upload:
                continue
            safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload.name).name).lstrip(".") or name
            target = folder / str(len(paths)) / safe  # one folder per file: names kept, never clash
            target.parent.mkdir()
            with target.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            paths.append(str(target))
        job = enqueue("providers.import", {"paths": paths}, user=request.user)
        return redirect("providers:import-job", job_id=job.pk)
    imports = ProviderImport.objects.select_related("created_by")[:20]
    return render(request, "providers/import.html", {"form": form, "imports": imports})


@login_required
def import_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    _require_import(request.user)
    job = get_object_or_404(Job, pk=job_id, kind="providers.import")
    return render(request, "providers/import_job.html", {"job": job})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_import(request.user)
    record = get_object_or_404(ProviderImport, pk=pk)
    return render(request, "providers/import_detail.html", {"record": record})
