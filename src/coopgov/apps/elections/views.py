"""Election pages: thin views (permission check -> domain action -> render)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.jobs.runner import enqueue
from coopgov.apps.membership.models import Membership
from coopgov.apps.orgs.models import Organisation
from coopgov.apps.orgs.permissions import Capability, capabilities_for, has_capability, require_capability

from . import ballot_rules, charts, forms, jobs, notifications, services
from .models import Ballot, Election, Nomination, PaperBatch
from .services import Phase


def _election(pk: Any) -> Election:
    return get_object_or_404(
        Election.objects.select_related("organisation", "stakeholder_class", "constituency", "seat_rule", "body"), pk=pk
    )


def _my_membership(request: HttpRequest, e: Election) -> Membership | None:
    if not request.user.is_authenticated:
        return None
    return (
        Membership.objects.filter(organisation_id=e.organisation_id, person__user=request.user)
        .select_related("person", "organisation")
        .first()
    )


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def election_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=slug)
    if not org.is_public and not capabilities_for(request.user, org):
        raise Http404
    elections = Election.objects.filter(organisation=org).select_related("stakeholder_class")
    rows = [(e, services.PHASE_LABELS[services.phase(e)]) for e in elections]
    return render(
        request,
        "elections/list.html",
        {"org": org, "rows": rows, "can_run": has_capability(request.user, org, Capability.RUN_ELECTIONS)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_create(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_object_or_404(Organisation, slug=slug)
    require_capability(request.user, org, Capability.RUN_ELECTIONS)
    form = forms.ElectionForm(request.POST or None, organisation=org, initial=forms.default_timetable())
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            e = services.do_create_election(actor=request.user, organisation=org, **d, body=None)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, f"Election '{e.title}' created.")
            return redirect("elections:manage", e.pk)
    return render(request, "elections/create.html", {"org": org, "form": form})


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc)


def election_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    ph = services.phase(e)
    me = _my_membership(request, e)
    my_nomination = Nomination.objects.filter(election=e, membership=me).first() if me else None
    show_candidates = ph not in {Phase.DRAFT, Phase.NOTICE, Phase.NOMINATIONS}
    return render(
        request,
        "elections/detail.html",
        {
            "e": e,
            "org": e.organisation,
            "phase": ph,
            "phase_label": services.PHASE_LABELS[ph],
            "me": me,
            "my_nomination": my_nomination,
            "voted": bool(me and services.has_voted(e, me.pk)),
            "candidates": services.candidates(e) if show_candidates else [],
            "show_candidates": show_candidates,
            "can_run": has_capability(request.user, e.organisation, Capability.RUN_ELECTIONS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    me = _my_membership(request, e)
    if me is None:
        raise PermissionDenied(f"Only members of {e.organisation.name} can make nominations.")
    form = forms.NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["nominee_email"].strip()
        nominee: Membership | None = me
        if email:
            nominee = (
                Membership.objects.filter(organisation=e.organisation, person__email__iexact=email)
                .select_related("person")
                .first()
            )
        if nominee is None:
            form.add_error("nominee_email", f"No member of {e.organisation.name} has that email address.")
        else:
            try:
                services.do_nominate(
                    actor=request.user,
                    election=e,
                    nominee=nominee,
                    nominator=me,
                    statement=form.cleaned_data["statement"],
                    interests=form.cleaned_data["interests"],
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                who = "yourself" if nominee.pk == me.pk else nominee.person.full_name
                messages.success(request, f"Nomination of {who} received.")
                return redirect("elections:detail", e.pk)
    return render(request, "elections/nominate.html", {"e": e, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: Any, nomination_id: int) -> HttpResponse:
    e = _election(pk)
    n = get_object_or_404(Nomination.objects.select_related("membership__person"), pk=nomination_id, election=e)
    if n.membership.person.user_id != request.user.pk:
        raise PermissionDenied("Only the person nominated can consent to their nomination.")
    form = forms.ConsentForm(request.POST or None, initial={"statement": n.statement, "interests": n.interests})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_consent(
                nomination=n, statement=form.cleaned_data["statement"], interests=form.cleaned_data["interests"]
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "You have consented to your nomination.")
            return redirect("elections:detail", e.pk)
    return render(request, "elections/consent.html", {"e": e, "n": n, "form": form})


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: Any, nomination_id: int) -> HttpResponse:
    e = _election(pk)
    n = get_object_or_404(Nomination.objects.select_related("membership__person"), pk=nomination_id, election=e)
    if n.membership.person.user_id != request.user.pk:
        raise PermissionDenied("Only the candidate can withdraw their nomination.")
    try:
        services.do_withdraw(nomination=n)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "You have withdrawn your nomination.")
    return redirect("elections:detail", e.pk)


def candidates_page(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    if services.phase(e) in {Phase.DRAFT, Phase.NOTICE, Phase.NOMINATIONS}:
        raise Http404("The statement of persons nominated is published when nominations close.")
    return render(request, "elections/candidates.html", {"e": e, "candidates": services.candidates(e)})


# --- voting -----------------------------------------------------------------------------------


def _ballot_page(
    request: HttpRequest, e: Election, membership_id: int | None, refusal: str, action_url: str
) -> HttpResponse:
    cands = services.candidates(e)
    error: ballot_rules.BallotError | ValidationError | None = None
    values: dict[str, str] = {}
    chosen: set[int] = set()
    if request.method == "POST" and not refusal and membership_id is not None:
        values = {k: str(v) for k, v in request.POST.items() if k.startswith("rank-")}
        chosen = {int(v) for v in request.POST.getlist("choice") if v.isdigit()}
        data = {**values, "choice": request.POST.getlist("choice")}
        try:
            prefs = services.check_marks(e, cands, data)
            receipt = services.do_cast_vote(election=e, membership_id=membership_id, preferences=prefs)
        except ballot_rules.BallotError as exc:
            error = exc
        except ValidationError as exc:
            refusal = _error_text(exc)
        else:
            return render(request, "elections/voted.html", {"e": e, "receipt": receipt}, status=200)
    rows = [
        {
            "n": n,
            "value": values.get(f"rank-{n.pk}", ""),
            "checked": n.pk in chosen,
            "error": bool(error is not None and getattr(error, "field", None) == str(n.pk)),
        }
        for n in cands
    ]
    return render(
        request,
        "elections/ballot.html",
        {
            "e": e,
            "rows": rows,
            "error": getattr(error, "message", None),
            "error_field": getattr(error, "field", None),
            "has_errors": error is not None,
            "refusal": refusal,
            "action_url": action_url,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    me = _my_membership(request, e)
    refusal = services.refusal_reason(e, me)
    if not refusal and me is not None and services.has_voted(e, me.pk):
        refusal = "You have already voted in this election. Each member has one vote."
    if not refusal:
        try:
            services._poll_open_or_refuse(e)
        except ValidationError as exc:
            refusal = _error_text(exc)
    return _ballot_page(request, e, me.pk if me else None, refusal, request.path)


@require_http_methods(["GET", "POST"])
def vote_link(request: HttpRequest, pk: Any, token: str) -> HttpResponse:
    """Vote with the one-time link from the poll card (no sign-in needed)."""
    e = _election(pk)
    mid = services.membership_for_token(e, token)
    refusal = (
        "" if mid is not None else "This voting link is not valid. Check you copied the whole link from your poll card."
    )
    if mid is not None and services.has_voted(e, mid):
        refusal = "You have already voted in this election. Each member has one vote."
    if not refusal:
        try:
            services._poll_open_or_refuse(e)
        except ValidationError as exc:
            refusal = _error_text(exc)
    return _ballot_page(request, e, mid, refusal, request.path)


@csrf_exempt  # authenticated by the voting-link token in the body, not by a cookie
@require_POST
def vote_api(request: HttpRequest, pk: Any) -> JsonResponse:
    """JSON voting for API clients holding a voting-link token:
    ``{"token": "...", "preferences": [nomination ids in order]}`` -> ``{"receipt": "..."}``."""
    try:
        body = json.loads(request.body)
        token = str(body["token"])
        prefs = [int(x) for x in body["preferences"]]
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {"detail": "Send JSON with 'token' and 'preferences' (a list of candidate ids)."}, status=400
        )
    e = services.election_for_voting(pk)
    if e is None:
        return JsonResponse({"detail": "No such election."}, status=404)
    mid = services.entry_for_token(e, token)
    if mid is None:
        return JsonResponse({"detail": "This voting link is not valid for this election."}, status=403)
    valid_ids = services.candidate_ids(e)
    if (
        not prefs
        or len(set(prefs)) != len(prefs)
        or not set(prefs) <= valid_ids
        or (not e.ranked and len(prefs) > e.seats)
    ):
        return JsonResponse({"detail": "The preferences must be distinct candidate ids of this election."}, status=400)
    try:
        receipt = services.do_cast_vote(election=e, membership_id=mid, preferences=prefs, on_roll=True)
    except services.AlreadyVoted as exc:
        return JsonResponse({"detail": _error_text(exc)}, status=409)
    except ValidationError as exc:
        return JsonResponse({"detail": _error_text(exc)}, status=403)
    return JsonResponse({"receipt": receipt}, status=201)


@require_http_methods(["GET"])
def receipt_check(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    form = forms.ReceiptForm(request.GET or None)
    found: Ballot | None = None
    looked = False
    if form.is_valid():
        looked = True
        code = services.normalise_receipt(form.cleaned_data["code"])
        found = Ballot.objects.filter(election=e, receipt=code).first()
    ph = services.phase(e)
    published = ph in {Phase.CLOSED, Phase.COUNTED, Phase.DECLARED}
    shown = _readable(e, [found])[0] if (found and published) else None
    return render(
        request,
        "elections/receipt.html",
        {"e": e, "form": form, "found": found, "looked": looked, "published": published, "shown": shown},
    )


def _readable(e: Election, ballots: list[Ballot | None]) -> list[list[str]]:
    names = {n.pk: n.membership.person.full_name for n in services.candidates(e)}
    return [[names.get(int(x), "?") for x in b.preferences.split()] if b else [] for b in ballots]


def ballot_list(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    if services.phase(e) not in {Phase.CLOSED, Phase.COUNTED, Phase.DECLARED}:
        raise Http404("The list of ballots is published after the poll closes.")
    qs = Ballot.objects.filter(election=e).order_by("receipt", "id")
    if request.GET.get("format") == "csv":
        names = {n.pk: n.membership.person.full_name for n in services.candidates(e)}
        lines = ["receipt,source,preferences"]
        for r, pref, batch in qs.values_list("receipt", "preferences", "batch_id").iterator():
            readable = " > ".join(names.get(int(x), "?") for x in pref.split())
            lines.append(f'{r or ""},{"paper" if batch else "online"},"{readable}"')
        resp = HttpResponse("\n".join(lines) + "\n", content_type="text/csv; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="ballots-{e.pk}.csv"'
        return resp
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    rows = list(zip(page.object_list, _readable(e, list(page.object_list)), strict=True))
    return render(request, "elections/ballots.html", {"e": e, "page": page, "rows": rows})


# --- officer ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    require_capability(request.user, e.organisation, Capability.RUN_ELECTIONS)
    initial = {f: getattr(e, f) for f in services.TIMETABLE_FIELDS}
    tform = forms.TimetableForm(request.POST if request.POST.get("action") == "timetable" else None, initial=initial)
    pform = forms.PaperBatchForm(request.POST if request.POST.get("action") == "paper" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "timetable":
                if tform.is_valid():
                    services.do_change_timetable(actor=request.user, election=e, **tform.cleaned_data)
                    messages.success(request, "Timetable changed.")
                    return redirect("elections:manage", e.pk)
            elif action == "paper":
                if pform.is_valid():
                    d = pform.cleaned_data
                    b = services.do_add_paper_batch(
                        actor=request.user,
                        election=e,
                        label=d["label"],
                        declared_count=d["declared_count"],
                        text=d["ballots"],
                        returned_by=d["returned_by"],
                    )
                    messages.success(request, f"Paper batch '{b.label}' entered: {b.declared_count} ballot(s).")
                    return redirect("elections:manage", e.pk)
            elif action in _ACTIONS:
                text = _ACTIONS[action](request.user, e)
                messages.success(request, text)
                return redirect("elections:manage", e.pk)
            else:
                messages.error(request, "Unknown action.")
        except ValidationError as exc:
            if action == "timetable":
                _attach(tform, exc)
            elif action == "paper":
                _attach(pform, exc)
            else:
                messages.error(request, _error_text(exc))
                return redirect("elections:manage", e.pk)
    ph = services.phase(e)
    form = tform if tform.errors else pform if pform.errors else None
    return render(
        request,
        "elections/manage.html",
        {
            "e": e,
            "phase": ph,
            "phase_label": services.PHASE_LABELS[ph],
            "tform": tform,
            "pform": pform,
            "form": form,
            "nominations": Nomination.objects.filter(election=e).select_related("membership__person"),
            "batches": PaperBatch.objects.filter(election=e),
            "ballot_count": Ballot.objects.filter(election=e).count(),
            "cands": services.candidates(e),
        },
    )


def _freeze(user: Any, e: Election) -> str:
    e = services.do_freeze_electorate(actor=user, election=e)
    return f"Electorate frozen: {e.electorate_count} voters, fingerprint {e.electorate_hash[:16]}…"


def _send(kind: str) -> Any:
    def go(user: Any, e: Election) -> str:
        if (e.electorate_count or 0) > jobs.INLINE_MAX:
            enqueue("elections.mail", {"election": str(e.pk), "kind": kind}, user=user, organisation=e.organisation)
            return "The emails are being sent in the background."
        n = getattr(notifications, kind)(e)
        services._audit(user, e, f"notify.{kind}", f"Sent {kind.replace('_', ' ')}: {n} email(s)")
        return f"Sent {n} email(s)."

    return go


def _close(user: Any, e: Election) -> str:
    services.do_close_poll(actor=user, election=e)
    return "The poll is closed."


def _count(user: Any, e: Election) -> str:
    if Ballot.objects.filter(election=e).count() > jobs.INLINE_MAX:
        if not e.poll_closed:
            raise ValidationError("Close the poll before counting.")
        enqueue("elections.count", {"election": str(e.pk)}, user=user, organisation=e.organisation)
        return "The count is running in the background; reload this page to see when it has finished."
    e = services.do_count(actor=user, election=e)
    return "Counted. Elected: " + ", ".join(e.result["elected"] if e.result else [])


def _declare(user: Any, e: Election) -> str:
    services.do_declare(actor=user, election=e)
    return "Result declared."


def _uncontested(user: Any, e: Election) -> str:
    services.do_declare_uncontested(actor=user, election=e)
    return "Declared elected unopposed."


_ACTIONS = {
    "freeze": _freeze,
    "notice": _send("notice"),
    "poll_cards": _send("poll_cards"),
    "reminder": _send("reminder"),
    "close": _close,
    "count": _count,
    "declare": _declare,
    "uncontested": _uncontested,
}


@login_required
def election_audit(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    if not (
        has_capability(request.user, e.organisation, Capability.VIEW_AUDIT)
        or has_capability(request.user, e.organisation, Capability.RUN_ELECTIONS)
    ):
        raise PermissionDenied("Only scrutineers and officers can see the election's audit log.")
    events = AuditEvent.objects.filter(object_type="elections.Election", object_id=str(e.pk)).order_by("at", "id")
    return render(request, "elections/audit.html", {"e": e, "events": events})


# --- result -----------------------------------------------------------------------------------


def result(request: HttpRequest, pk: Any) -> HttpResponse:
    e = _election(pk)
    if e.declared_on is None or not e.result:
        raise Http404("The result has not been declared yet.")
    r = e.result
    stages = r.get("stages", [])
    return render(
        request,
        "elections/result.html",
        {
            "e": e,
            "r": r,
            "stages": stages,
            "stage_rows": charts.stage_rows(r),
            "chart": charts.movement_chart(r),
            "turnout": services.turnout(e),
            "ballots": Ballot.objects.filter(election=e).count(),
            "paper": Ballot.objects.filter(election=e, batch__isnull=False).count(),
        },
    )


def result_download(request: HttpRequest, pk: Any, fmt: str) -> HttpResponse:
    e = _election(pk)
    if e.declared_on is None or not e.result:
        raise Http404("The result has not been declared yet.")
    if fmt == "json":
        body, ctype = json.dumps(e.result, indent=2, ensure_ascii=False) + "\n", "application/json"
    elif fmt == "csv":
        body, ctype = e.result_csv, "text/csv; charset=utf-8"
    elif fmt == "blt":
        body, ctype = e.blt, "text/plain; charset=utf-8"
    else:
        raise Http404
    if not body:
        raise Http404("No download for an uncontested election.")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="result-{e.pk}.{fmt}"'
    return resp
