"""Public JSON API for participatory budgets (mounted at ``/api/budgets/``): processes, the shortlist
and published results.  Drafts and unpublished results are not shown."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from coopgov.apps.api.auth import OptionalAuth

from .models import IdeaStatus, Phase, Process

router = Router(tags=["budgets"])
PUBLIC = [OptionalAuth()]


class AreaOut(Schema):
    slug: str
    name: str
    budget: int


class ProjectOut(Schema):
    id: int
    title: str
    cost: int
    area: str | None
    category: str
    status: str
    funded: bool
    delivery_status: str
    spend: int


class ProcessOut(Schema):
    slug: str
    title: str
    organisation: str
    phase: str
    pot: int
    currency: str
    funding_source: str
    ring_fence: str
    ballot_type: str
    rule: str
    completion: str


class ProcessDetailOut(ProcessOut):
    areas: list[AreaOut]
    projects: list[ProjectOut]


def _out(p: Process) -> dict[str, Any]:
    return {
        "slug": p.slug,
        "title": p.title,
        "organisation": p.organisation.name,
        "phase": p.phase,
        "pot": p.pot,
        "currency": p.currency,
        "funding_source": p.funding_source,
        "ring_fence": p.ring_fence,
        "ballot_type": p.ballot_type,
        "rule": p.rule,
        "completion": p.completion,
    }


@router.get("/", response=list[ProcessOut], auth=PUBLIC)
def list_processes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(p) for p in Process.objects.exclude(phase=Phase.DRAFT).select_related("organisation")]


@router.get("/{slug}/", response=ProcessDetailOut, auth=PUBLIC)
def process_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    p = get_object_or_404(Process.objects.select_related("organisation").exclude(phase=Phase.DRAFT), slug=slug)
    ideas = p.ideas.exclude(status=IdeaStatus.MERGED).select_related("area")
    return {
        **_out(p),
        "areas": [{"slug": a.slug, "name": a.name, "budget": a.budget} for a in p.areas.all()],
        "projects": [
            {
                "id": i.pk,
                "title": i.title,
                "cost": i.ballot_cost,
                "area": i.area.slug if i.area else None,
                "category": i.category,
                "status": i.status,
                "funded": i.funded,
                "delivery_status": i.delivery_status,
                "spend": i.spend,
            }
            for i in ideas
        ],
    }


@router.get("/{slug}/results", auth=PUBLIC)
def results(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The published result: per area, the rule's selection and an explanation for every project,
    and greedy's selection for comparison (the same document as the results page's JSON download)."""
    p = get_object_or_404(Process.objects.exclude(phase=Phase.DRAFT), slug=slug)
    result = getattr(p, "result", None)
    if result is None or p.results_published_at is None:
        raise Http404("The results are not published yet.")
    data: dict[str, Any] = {"process": p.title, "slug": p.slug, "pot": p.pot, **result.data}
    return data
