"""Views: read the request, check permission, call a query or action, render."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.permissions import Capability, has_capability, require_capability

from . import exports, forms, pdf, services, snapshots
from .charts import bar_chart, gap_chart, line_chart
from .data import engagement_data
from .models import Decision, EngagementReport, EngagementSettings, PopulationTable, Snapshot
from .population import PopulationFileError


def _org(slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


def _value(text: str) -> float | None:
    return float(text) if text.lstrip("-").isdigit() else None


def _pct_value(text: str) -> float | None:
    return float(text.rstrip("%")) / 100 if text.endswith("%") else None


def charts_for(data: dict[str, Any]) -> dict[str, Any]:
    """SVG charts drawn from the published (suppressed) figures."""
    org = data["organisation"]["name"]
    series = data["membership"]["series"]
    years = [r["year"] for r in series]
    out: dict[str, Any] = {}
    if series:
        out["membership"] = line_chart(
            f"Members of {org} at the end of each year",
            "Line chart of the number of members at the end of each year; the table below gives the figures.",
            years,
            [("Members", [_value(r["size"]) for r in series])],
            y_label="Members",
        )
        out["flows"] = line_chart(
            "Joiners and leavers each year",
            "Two lines: people who joined and people who left in each year; the table below gives the figures.",
            years,
            [("Joined", [_value(r["joiners"]) for r in series]), ("Left", [_value(r["leavers"]) for r in series])],
            y_label="People",
        )
    vit = data["elections"]["years"]
    if vit:
        out["vitality"] = line_chart(
            "Election vitality each year",
            "Two lines: turnout in contested elections and the share of seats contested, by year; "
            "the table below gives the figures.",
            [v["year"] for v in vit],
            [
                ("Turnout", [v["turnout_value"] for v in vit]),
                ("Seats contested", [_pct_value(v["contested_share"]) for v in vit]),
            ],
            y_label="Per cent",
            percent=True,
        )
    out["funnels"] = [
        bar_chart(
            f"Participation in {f['title']}",
            "Bar chart of how many people reached each step; the table beside it gives the figures.",
            [
                (s["label"], s["value"], f"{int(s['count']):,}" if s["count"].isdigit() else s["count"])
                for s in f["steps"]
            ],
        )
        for f in data["funnels"]
    ]
    out["gaps"] = {
        d["dimension"]: gap_chart(
            f"Representation by {d['label'].lower()}",
            "For each group, the ratio of its share of members to its share of the population, with a 95% "
            "confidence interval; 1 means proportionate. The table below gives the figures.",
            [(r["label"], r["ratio_value"], r["lower_value"], r["upper_value"]) for r in d["rows"] if r["stated"]],
        )
        for d in data["representation"]["dimensions"]
        if d["population"]
    }
    return out


def _dashboard_figures(request: HttpRequest, org: Organisation) -> tuple[forms.PeriodForm, Any, Any, bool]:
    form = forms.PeriodForm(request.GET or None, organisation=org)
    start = end = cls = None
    if request.GET and form.is_valid():
        given = form.cleaned_data
        start = given["start"] if request.GET.get("start_year") else None
        end = given["end"] if request.GET.get("end_year") else None
        cls = given["class_obj"]
    data, computed_at, refreshing = snapshots.dashboard_figures(org, start, end, cls)
    return form, data, computed_at, refreshing


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_ENGAGEMENT)
    if request.method == "POST":
        for snap in Snapshot.objects.filter(organisation=org):
            snapshots.request_refresh(snap, force=True)
        messages.success(request, "The figures are being recomputed; reload the page in a minute.")
        return redirect(request.get_full_path())
    form, data, computed_at, refreshing = _dashboard_figures(request, org)
    context = {
        "org": org,
        "form": form if request.GET and form.errors else None,
        "period_form": form,
        "data": data,
        "computed_at": computed_at,
        "refreshing": refreshing,
        "charts": SimpleLazyObject(lambda: charts_for(data)),  # drawn only when the fragment cache misses
        "fragment_key": f"{org.pk}:{request.GET.urlencode()}:{computed_at.isoformat()}",
        "query": request.GET.urlencode(),
        "can_manage": has_capability(request.user, org, Capability.MANAGE_SETTINGS),
    }
    return render(request, "engagement/dashboard.html", context)


@login_required
def dashboard_data(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.VIEW_ENGAGEMENT)
    _, data, _, _ = _dashboard_figures(request, org)
    return _download(data, fmt, f"{org.slug}-engagement")


def _download(data: dict[str, Any], fmt: str, stem: str) -> HttpResponse:
    if fmt == "json":
        resp = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    elif fmt == "csv":
        resp = HttpResponse(exports.to_csv(data), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("Choose data.csv or data.json")
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Population table, deprivation lookup, decisions put to members, benchmark sharing."""
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_SETTINGS)
    action = request.POST.get("action", "")
    settings_row = EngagementSettings.objects.filter(organisation=org).first()
    population_form = forms.PopulationForm(request.POST if action == "population" else None, request.FILES or None)
    deprivation_form = forms.DeprivationForm(request.POST if action == "deprivation" else None, request.FILES or None)
    decision_form = forms.DecisionForm(request.POST if action == "decision" else None)
    benchmark_form = forms.BenchmarkForm(
        request.POST if action == "benchmark" else None,
        initial={"share_benchmark": bool(settings_row and settings_row.share_benchmark)},
    )
    failed: Any = None
    if request.method == "POST":
        try:
            if action == "population" and population_form.is_valid():
                upload = population_form.cleaned_data["file"]
                table = services.do_upload_population(
                    actor=request.user,
                    organisation=org,
                    name=population_form.cleaned_data["name"],
                    source=population_form.cleaned_data["source"],
                    data=upload.read(),
                    filename=upload.name,
                )
                messages.success(request, f"Population table {table.name} uploaded.")
                return redirect("engagement:manage", slug=org.slug)
            if action == "deprivation" and deprivation_form.is_valid():
                upload = deprivation_form.cleaned_data["file"]
                n = services.do_upload_deprivation(
                    actor=request.user, organisation=org, data=upload.read(), filename=upload.name
                )
                messages.success(request, f"Deprivation deciles uploaded for {n} postcode districts.")
                return redirect("engagement:manage", slug=org.slug)
            if action == "decision" and decision_form.is_valid():
                services.do_record_decision(actor=request.user, organisation=org, **decision_form.cleaned_data)
                messages.success(request, "Decision recorded.")
                return redirect("engagement:manage", slug=org.slug)
            if action == "benchmark" and benchmark_form.is_valid():
                services.do_set_benchmark_sharing(
                    actor=request.user, organisation=org, share=benchmark_form.cleaned_data["share_benchmark"]
                )
                messages.success(request, "Benchmark sharing updated.")
                return redirect("engagement:manage", slug=org.slug)
        except PopulationFileError as exc:
            target = population_form if action == "population" else deprivation_form
            target.add_error("file", str(exc))
        except ValidationError as exc:
            decision_form.add_error(None, exc)
        failed = {
            "population": population_form,
            "deprivation": deprivation_form,
            "decision": decision_form,
            "benchmark": benchmark_form,
        }.get(action)
    context = {
        "org": org,
        "form": failed,
        "population_form": population_form,
        "deprivation_form": deprivation_form,
        "decision_form": decision_form,
        "benchmark_form": benchmark_form,
        "tables": PopulationTable.objects.filter(organisation=org)[:10],
        "decisions": Decision.objects.filter(organisation=org).select_related("stakeholder_class")[:50],
        "deprivation_count": org.deprivation_deciles.count(),
    }
    return render(request, "engagement/manage.html", context, status=400 if failed else 200)


def reports(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's published engagement reports (public), and drafts for officers."""
    org = _org(slug)
    officer = has_capability(request.user, org, Capability.VIEW_ENGAGEMENT)
    qs = EngagementReport.objects.filter(organisation=org)
    if not officer:
        qs = qs.filter(published=True)
    this_year = timezone.localdate().year
    return render(
        request,
        "engagement/reports.html",
        {
            "org": org,
            "reports": list(qs.order_by("-year")),
            "officer": officer,
            "can_manage": has_capability(request.user, org, Capability.MANAGE_SETTINGS),
            "years": list(range(this_year, this_year - 5, -1)),
        },
    )


def _report_and_data(request: HttpRequest, org: Organisation, year: int) -> tuple[EngagementReport, dict[str, Any]]:
    report = EngagementReport.objects.filter(organisation=org, year=year).first()
    if report is None or not report.published:
        if not has_capability(request.user, org, Capability.VIEW_ENGAGEMENT):
            raise Http404("No published engagement report for that year")
        if report is None:
            report = EngagementReport(organisation=org, year=year)
    if report.published and report.data:
        return report, report.data
    return report, report_figures(org, year)


def report_figures(org: Organisation, year: int) -> dict[str, Any]:
    today = timezone.localdate()
    if year > today.year:
        raise Http404("That year has not started")
    end = min(datetime.date(year, 12, 31), today)
    key = f"engagement:report:{org.pk}:{year}:{end.isoformat()}"
    data: dict[str, Any] | None = cache.get(key)
    if data is None:
        as_at = end if end < today else None
        data = engagement_data(org, start=datetime.date(year, 1, 1), end=end, as_at=as_at, with_benchmark=False)
        cache.set(key, data, 600)
    return data


def report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    org = _org(slug)
    rep, data = _report_and_data(request, org, year)
    return render(
        request,
        "engagement/report.html",
        {
            "org": org,
            "report": rep,
            "data": data,
            "charts": charts_for(data),
            "can_manage": has_capability(request.user, org, Capability.MANAGE_SETTINGS),
        },
    )


def report_data(request: HttpRequest, slug: str, year: int, fmt: str) -> HttpResponse:
    org = _org(slug)
    rep, data = _report_and_data(request, org, year)
    payload = {**data, "narrative": {"how_we_engaged": rep.how_we_engaged, "what_changed": rep.what_changed}}
    return _download(payload, fmt, f"{org.slug}-engagement-{year}")


def report_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    org = _org(slug)
    rep, data = _report_and_data(request, org, year)
    html = render_to_string(
        "engagement/report_print.html",
        {"org": org, "report": rep, "data": data, "charts": charts_for(data), "css": pdf.print_css()},
    )
    key = f"engagement:pdf:{org.pk}:{year}:{rep.updated_at.isoformat() if rep.pk else 'draft'}:{rep.published}"
    body: bytes | None = cache.get(key) if rep.published else None
    if body is None:
        try:
            body = pdf.html_to_pdf(html)
        except pdf.PdfUnavailable as exc:
            return HttpResponse(f"The PDF cannot be made on this server: {exc}", status=503, content_type="text/plain")
        if rep.published:
            cache.set(key, body, 3600)
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{org.slug}-engagement-{year}.pdf"'
    return resp


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    org = _org(slug)
    require_capability(request.user, org, Capability.MANAGE_SETTINGS)
    rep = EngagementReport.objects.filter(organisation=org, year=year).first()
    initial = {"how_we_engaged": rep.how_we_engaged, "what_changed": rep.what_changed} if rep else {}
    form = forms.ReportForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "unpublish" in request.POST and rep is not None:
            services.do_unpublish_report(actor=request.user, report=rep)
            messages.success(request, f"The {year} report is no longer public.")
            return redirect("engagement:report-edit", slug=org.slug, year=year)
        if form.is_valid():
            publish = "publish" in request.POST
            try:
                saved = services.do_save_report(
                    actor=request.user, organisation=org, year=year, publish=publish, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if publish:
                    saved.data = report_figures(org, year)
                    saved.save(update_fields=["data"])
                    messages.success(request, f"The {year} report is published.")
                    return redirect("engagement:report", slug=org.slug, year=year)
                messages.success(request, "Draft saved.")
                return redirect("engagement:report-edit", slug=org.slug, year=year)
    if year > timezone.localdate().year:
        raise PermissionDenied("That year has not started.")
    return render(
        request,
        "engagement/report_edit.html",
        {"org": org, "form": form, "report": rep, "year": year},
        status=400 if form.errors else 200,
    )
