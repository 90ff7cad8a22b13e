"""Views: read the request, check permission, call a domain action, render."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.permissions import Capability, has_capability, require_capability

from . import forms, services
from .models import Ballot, BallotType, Idea, IdeaStatus, Phase, Process, Result, RingFence
from .services import PBError, money

VOTER_SESSION = "pb-voter-{}"


def _process(slug: str, user: Any) -> tuple[Process, bool]:
    process = get_object_or_404(Process.objects.select_related("organisation"), slug=slug)
    officer = has_capability(user, process.organisation, Capability.RUN_BUDGETS)
    if process.phase == Phase.DRAFT and not officer:
        raise Http404
    return process, officer


def _officer(request: HttpRequest, slug: str) -> Process:
    process, officer = _process(slug, request.user)
    if not officer:
        raise PermissionDenied("You do not have permission to run budgets here.")
    return process


def _error(form: djforms.Form, exc: PBError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def process_list(request: HttpRequest) -> HttpResponse:
    processes = Process.objects.exclude(phase=Phase.DRAFT).select_related("organisation")
    org_slug = request.GET.get("organisation", "")
    if org_slug:
        processes = processes.filter(organisation__slug=org_slug)
    return render(request, "budgets/list.html", {"processes": processes})


@login_required
def process_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=org_slug)
    require_capability(request.user, org, Capability.RUN_BUDGETS)
    form = forms.ProcessForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        areas = d.pop("areas")
        d["max_choices"] = d["max_choices"] or None
        try:
            process = services.do_create_process(actor=request.user, organisation=org, areas=areas, **d)
        except PBError as exc:
            _error(form, exc)
        else:
            messages.success(request, f"Created {process.title}")
            return redirect("budgets:manage", process.slug)
    return render(request, "budgets/create.html", {"form": form, "org": org})


def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process, officer = _process(slug, request.user)
    areas = list(process.areas.annotate(n=Count("ideas", filter=Q(ideas__status=IdeaStatus.SHORTLISTED))))
    return render(
        request,
        "budgets/detail.html",
        {
            "process": process,
            "officer": officer,
            "areas": areas,
            "pot": money(process.pot, process.currency),
            "idea_count": process.ideas.count(),
            "can_propose": services.can_propose(process, request.user)[0],
        },
    )


@login_required
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    process = _officer(request, slug)
    rule_form = forms.RuleForm(request.POST or None, initial={"rule": process.rule, "completion": process.completion})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rule":
                if rule_form.is_valid():
                    services.do_set_rule(actor=request.user, process=process, **rule_form.cleaned_data)
                    messages.success(request, "Rule saved")
                    return redirect("budgets:manage", slug)
            elif action == "advance":
                process = services.do_advance_phase(actor=request.user, process=process)
                messages.success(request, f"Moved to: {process.get_phase_display()}")
                return redirect("budgets:manage", slug)
            elif action == "count":
                services.do_compute_results(actor=request.user, process=process)
                messages.success(request, "Results computed: check them, then publish")
                return redirect("budgets:manage", slug)
            elif action == "publish":
                services.do_publish_results(actor=request.user, process=process)
                messages.success(request, "Results published")
                return redirect("budgets:results", slug)
        except PBError as exc:
            _error(rule_form, exc)
    counts = process.ideas.values("status").annotate(n=Count("id"))
    result = Result.objects.filter(process=process).first()
    return render(
        request,
        "budgets/manage.html",
        {
            "process": process,
            "form": rule_form if rule_form.errors else None,
            "rule_form": rule_form,
            "counts": {c["status"]: c["n"] for c in counts},
            "ballots": Ballot.objects.filter(process=process).count(),
            "codes": process.codes.count(),
            "codes_used": process.codes.exclude(used_on=None).count(),
            "next_phase": dict(Phase.choices).get(services.next_phase(process) or ""),
            "result": result,
            "to_review": process.ideas.filter(status=IdeaStatus.SUBMITTED),
        },
    )


def idea_list(request: HttpRequest, slug: str) -> HttpResponse:
    process, officer = _process(slug, request.user)
    ideas = (
        process.ideas.select_related("area")
        .annotate(n_supports=Count("supports", distinct=True), n_comments=Count("comments", distinct=True))
        .exclude(status=IdeaStatus.MERGED)
    )
    area = request.GET.get("area", "")
    if area:
        ideas = ideas.filter(area__slug=area)
    return render(
        request,
        "budgets/ideas.html",
        {"process": process, "ideas": ideas, "officer": officer, "areas": process.areas.all(), "area": area},
    )


@login_required
def idea_create(request: HttpRequest, slug: str) -> HttpResponse:
    process, _ = _process(slug, request.user)
    ok, reason = services.can_propose(process, request.user)
    form = forms.IdeaForm(request.POST or None, request.FILES or None, process=process)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.do_submit_idea(actor=request.user, process=process, **form.cleaned_data)
        except PBError as exc:
            _error(form, exc)
        else:
            messages.success(request, "Thank you: your idea has been sent for review")
            return redirect("budgets:idea", slug, idea.pk)
    return render(request, "budgets/idea_form.html", {"process": process, "form": form, "ok": ok, "reason": reason})


def idea_detail(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    process, officer = _process(slug, request.user)
    idea = get_object_or_404(process.ideas.select_related("area", "merged_into"), pk=idea_id)
    form = forms.CommentForm(request.POST or None) if request.POST.get("action") == "comment" else forms.CommentForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        try:
            if request.POST.get("action") == "support":
                added = services.do_support(actor=request.user, idea=idea)
                messages.success(request, "You support this idea" if added else "You already support this idea")
                return redirect("budgets:idea", slug, idea.pk)
            if form.is_valid():
                services.do_comment(actor=request.user, idea=idea, text=form.cleaned_data["text"])
                messages.success(request, "Comment added")
                return redirect("budgets:idea", slug, idea.pk)
        except PBError as exc:
            _error(form, exc)
    return render(
        request,
        "budgets/idea.html",
        {
            "process": process,
            "idea": idea,
            "officer": officer,
            "form": form,
            "comments": idea.comments.select_related("author"),
            "supports": idea.supports.count(),
            "milestones": idea.milestones.all(),
            "cost": money(idea.ballot_cost, process.currency),
            "spend": money(idea.spend, process.currency),
        },
    )


@login_required
def idea_review(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    process = _officer(request, slug)
    idea = get_object_or_404(process.ideas.select_related("area"), pk=idea_id)
    form = forms.ReviewForm(request.POST or None, idea=idea)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_review_idea(actor=request.user, idea=idea, **form.cleaned_data)
        except PBError as exc:
            _error(form, exc)
        else:
            messages.success(request, f"Reviewed: {idea.title}")
            return redirect("budgets:manage", slug)
    return render(
        request,
        "budgets/review.html",
        {"process": process, "idea": idea, "form": form, "cost": money(idea.estimated_cost, process.currency)},
    )


@login_required
def codes(request: HttpRequest, slug: str) -> HttpResponse:
    process = _officer(request, slug)
    form = forms.CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            made = services.do_generate_codes(
                actor=request.user, process=process, count=d["count"], postcode_district=d["postcode_district"]
            )
        except PBError as exc:
            _error(form, exc)
        else:
            if d["output"] == "csv":
                resp = HttpResponse(
                    services.codes_csv(process, made, d["postcode_district"]), content_type="text/csv; charset=utf-8"
                )
                resp["Content-Disposition"] = f'attachment; filename="{process.slug}-codes-{made[0][0]}.csv"'
                resp["Cache-Control"] = "no-store"
                return resp
            resp = render(
                request,
                "budgets/code_sheet.html",
                {"process": process, "codes": made, "district": d["postcode_district"].upper()},
            )
            resp["Cache-Control"] = "no-store"
            return resp
    return render(request, "budgets/codes.html", {"process": process, "form": form, "issued": process.codes.count()})


def _voter_key(request: HttpRequest, process: Process) -> tuple[str | None, str]:
    """The voter key for this request (member, or code kept in the session), or why none."""
    key = request.session.get(VOTER_SESSION.format(process.pk))
    if key:
        return str(key), "code"
    membership, reason = services.member_voter(process, request.user)
    if membership is not None:
        return services.member_voter_key(process, membership), "member"
    return None, reason


def vote(request: HttpRequest, slug: str) -> HttpResponse:
    process, _ = _process(slug, request.user)
    if process.phase != Phase.VOTING:
        return render(request, "budgets/vote_closed.html", {"process": process})
    key, how = _voter_key(request, process)
    if key is None:
        code_form = forms.CodeEntryForm(request.POST or None)
        if request.method == "POST" and code_form.is_valid():
            try:
                key = services.redeem_code(process, code_form.cleaned_data["code"])
            except PBError as exc:
                _error(code_form, exc)
            else:
                request.session.cycle_key()
                request.session[VOTER_SESSION.format(process.pk)] = key
                return redirect("budgets:vote", slug)
        return render(request, "budgets/vote_code.html", {"process": process, "form": code_form, "reason": how})
    ideas = services.shortlist(process)
    stored = services.my_ballot(process, key)
    if request.method == "POST":
        form = forms.ballot_form(process, ideas, data=request.POST)
    else:
        form = forms.ballot_form(process, ideas, initial=forms.ballot_initial(process, stored))
    summary: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        choices = forms.ballot_choices(process, form)
        try:
            if request.POST.get("action") == "check":
                spent = services.check_ballot(process, ideas, choices)
                summary = _summary(process, spent)
            else:
                replaced = services.do_cast_ballot(process=process, voter_key=key, choices=choices, ideas=ideas)
                return render(request, "budgets/voted.html", {"process": process, "replaced": replaced, "how": how})
        except PBError as exc:
            _error(form, exc)
    if not summary:
        summary = _summary(process, _spent_from(process, ideas, form))
    return render(
        request,
        "budgets/vote.html",
        {
            "process": process,
            "form": form,
            "summary": summary,
            "has_ballot": stored is not None,
            "how": how,
            "ideas": ideas,
            "points": process.ballot_type == BallotType.POINTS,
        },
    )


def _spent_from(process: Process, ideas: list[Idea], form: djforms.Form) -> dict[str, int]:
    """Money chosen, from whatever the form holds (bound or initial), for the running total."""
    by_id = {i.pk: i for i in ideas}
    spent: dict[str, int] = {}
    chosen: list[int] = []
    for name in form.fields:
        if name == "choices" or name.startswith("area_") or name.startswith("rank_"):
            value = form[name].value()
            values = value if isinstance(value, list) else [value]
            chosen += [int(v) for v in values if str(v or "").isdigit()]
        elif name.startswith("points_") and str(form[name].value() or "").isdigit() and int(form[name].value()) > 0:
            chosen.append(int(name[7:]))
    for i in chosen:
        idea = by_id.get(i)
        if idea is not None:
            slug = idea.area.slug if process.ring_fence != RingFence.NONE and idea.area else ""
            spent[slug] = spent.get(slug, 0) + idea.ballot_cost
    return spent


def _summary(process: Process, spent: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "slug": slug,
            "spent": money(spent.get(slug, 0), process.currency),
            "budget": money(budget, process.currency),
            "over": spent.get(slug, 0) > budget,
        }
        for slug, name, budget in services.area_budgets(process)
    ]


def results(request: HttpRequest, slug: str) -> HttpResponse:
    process, officer = _process(slug, request.user)
    result = Result.objects.filter(process=process).first()
    if result is None or (process.results_published_at is None and not officer):
        return render(request, "budgets/results_pending.html", {"process": process})
    ideas = {i.pk: i for i in process.ideas.select_related("area")}
    areas = []
    by_category: dict[str, int] = {}
    for a in result.area_data():
        main_sel = [int(x) for x in a["main"]["selected"]]
        greedy_sel = {int(x) for x in a["greedy"]["selected"]}
        rows = []
        for pid, expl in a["main"]["explanations"].items():
            idea = ideas.get(int(pid))
            if idea is None:
                continue
            rows.append(
                {
                    "idea": idea,
                    "cost": money(idea.ballot_cost, process.currency),
                    "votes": a["votes"].get(pid, 0),
                    "funded": int(pid) in main_sel,
                    "greedy": int(pid) in greedy_sel,
                    "text": expl["text"],
                    "order": main_sel.index(int(pid)) if int(pid) in main_sel else len(main_sel) + 1,
                }
            )
        rows.sort(key=lambda r: (not r["funded"], r["order"], -r["votes"]))
        spent = sum(ideas[i].ballot_cost for i in main_sel if i in ideas)
        for i in main_sel:
            if i in ideas:
                cat = ideas[i].category or "Uncategorised"
                by_category[cat] = by_category.get(cat, 0) + ideas[i].ballot_cost
        areas.append(
            {
                "name": a["name"],
                "slug": a["slug"],
                "voters": a["voters"],
                "rows": rows,
                "budget": money(a["budget"], process.currency),
                "spent": money(spent, process.currency),
                "spent_raw": spent,
                "budget_raw": a["budget"],
                "pct": round(100 * spent / a["budget"]) if a["budget"] else 0,
                "ties": a["main"]["ties"],
            }
        )
    fenced = process.ring_fence != RingFence.NONE
    chart_rows = [(a["name"], a["spent_raw"]) for a in areas] if fenced else sorted(by_category.items())
    top = max((v for _, v in chart_rows), default=0) or 1
    chart = [{"label": k, "amount": money(v, process.currency), "pct": round(100 * v / top)} for k, v in chart_rows]
    return render(
        request,
        "budgets/results.html",
        {
            "process": process,
            "result": result,
            "areas": areas,
            "chart": chart,
            "officer": officer,
            "chart_h": 10 * len(chart),
            "chart_by": process.get_ring_fence_display().replace("By ", "") if fenced else "category",
            "published": process.results_published_at is not None,
        },
    )


def _published_result(request: HttpRequest, slug: str) -> tuple[Process, Result]:
    process, officer = _process(slug, request.user)
    result = Result.objects.filter(process=process).first()
    if result is None or (process.results_published_at is None and not officer):
        raise Http404
    return process, result


def results_pb(request: HttpRequest, slug: str, area: str) -> HttpResponse:
    process, result = _published_result(request, slug)
    text = result.pb_files.get(area)
    if text is None:
        raise Http404
    resp = HttpResponse(text, content_type="text/plain; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{process.slug}-{area}.pb"'
    return resp


def results_json(request: HttpRequest, slug: str) -> HttpResponse:
    process, result = _published_result(request, slug)
    payload = {"process": process.title, "slug": process.slug, "pot": process.pot, **result.data}
    resp = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    resp["Content-Disposition"] = f'attachment; filename="{process.slug}-results.json"'
    return resp


def results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    process, result = _published_result(request, slug)
    ideas = {str(i.pk): i for i in process.ideas.all()}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["area", "project_id", "title", "cost", "votes", "funded", "funded_by_greedy", "explanation"])
    for a in result.area_data():
        for pid, expl in a["main"]["explanations"].items():
            idea = ideas.get(pid)
            w.writerow(
                [
                    a["name"],
                    pid,
                    idea.title if idea else "",
                    idea.ballot_cost if idea else "",
                    a["votes"].get(pid, 0),
                    int(pid in a["main"]["selected"]),
                    int(pid in a["greedy"]["selected"]),
                    expl["text"],
                ]
            )
    resp = HttpResponse(buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{process.slug}-results.csv"'
    return resp


def delivery(request: HttpRequest, slug: str) -> HttpResponse:
    process, officer = _process(slug, request.user)
    funded = process.ideas.filter(funded=True).select_related("area").annotate(n_milestones=Count("milestones"))
    return render(request, "budgets/delivery.html", {"process": process, "funded": funded, "officer": officer})


@login_required
def delivery_edit(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    process = _officer(request, slug)
    idea = get_object_or_404(process.ideas, pk=idea_id, funded=True)
    which = request.POST.get("action")
    form = forms.DeliveryForm(
        request.POST if which == "status" else None,
        initial={"delivery_status": idea.delivery_status, "spend": idea.spend},
    )
    mform = forms.MilestoneForm(request.POST if which == "milestone" else None)
    if request.method == "POST":
        try:
            if which == "status" and form.is_valid():
                services.do_update_delivery(
                    actor=request.user,
                    idea=idea,
                    status=form.cleaned_data["delivery_status"],
                    spend=form.cleaned_data["spend"],
                )
                messages.success(request, "Delivery updated")
                return redirect("budgets:idea", slug, idea.pk)
            if which == "milestone" and mform.is_valid():
                services.do_add_milestone(actor=request.user, idea=idea, **mform.cleaned_data)
                messages.success(request, "Milestone added")
                return redirect("budgets:idea", slug, idea.pk)
        except PBError as exc:
            _error(form, exc)
    shown = form if form.errors else mform
    return render(
        request,
        "budgets/delivery_edit.html",
        {"process": process, "idea": idea, "form": shown, "status_form": form, "milestone_form": mform},
    )


def idea_image(request: HttpRequest, slug: str, idea_id: int) -> FileResponse:
    process, _ = _process(slug, request.user)
    idea = get_object_or_404(process.ideas, pk=idea_id)
    if not idea.image:
        raise Http404
    return FileResponse(idea.image.open("rb"))


@require_POST
def forget_code(request: HttpRequest, slug: str) -> HttpResponse:
    process, _ = _process(slug, request.user)
    request.session.pop(VOTER_SESSION.format(process.pk), None)
    return redirect("budgets:detail", slug)
