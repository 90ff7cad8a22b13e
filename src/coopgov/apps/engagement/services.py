"""Domain actions of the engagement app: validate, write in a transaction, audit."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coopgov.apps.audit.services import record_event
from coopgov.apps.orgs.models import Organisation, StakeholderClass

from .models import (
    Decision,
    DeprivationDecile,
    EngagementReport,
    EngagementSettings,
    PopulationCount,
    PopulationTable,
)
from .population import parse_deprivation, parse_population


@transaction.atomic
def do_upload_population(
    *, actor: Any, organisation: Organisation, name: str, data: bytes, filename: str, source: str = ""
) -> PopulationTable:
    """Replace the organisation's current population table (all-or-nothing; raises
    :class:`~coopgov.apps.engagement.population.PopulationFileError` naming the line)."""
    cells = parse_population(data, filename)
    PopulationTable.objects.filter(organisation=organisation, is_current=True).update(is_current=False)
    table = PopulationTable.objects.create(
        organisation=organisation,
        name=name or filename,
        source=source,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    PopulationCount.objects.bulk_create(
        [
            PopulationCount(
                table=table, geography=c.geography, dimension=c.dimension, category=c.category, count=c.count
            )
            for c in cells
        ]
    )
    record_event(
        actor=actor,
        action="engagement.population.upload",
        organisation=organisation,
        obj=table,
        summary=f"Uploaded population table {table.name} ({len(cells)} cells from {filename})",
    )
    return table


@transaction.atomic
def do_upload_deprivation(*, actor: Any, organisation: Organisation, data: bytes, filename: str) -> int:
    deciles = parse_deprivation(data, filename)
    DeprivationDecile.objects.filter(organisation=organisation).delete()
    DeprivationDecile.objects.bulk_create(
        [
            DeprivationDecile(organisation=organisation, postcode_district=k, decile=v)
            for k, v in sorted(deciles.items())
        ]
    )
    record_event(
        actor=actor,
        action="engagement.deprivation.upload",
        organisation=organisation,
        summary=f"Uploaded deprivation deciles for {len(deciles)} postcode districts from {filename}",
    )
    return len(deciles)


@transaction.atomic
def do_record_decision(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    kind: str,
    held_on: datetime.date,
    eligible: int,
    participants: int,
    outcome: str = "",
    stakeholder_class: StakeholderClass | None = None,
) -> Decision:
    if stakeholder_class is not None and stakeholder_class.organisation_id != organisation.pk:
        raise ValidationError({"stakeholder_class": "That class belongs to another organisation."})
    if eligible < 1:
        raise ValidationError({"eligible": "Enter how many members could take part (at least 1)."})
    if not 0 <= participants <= eligible:
        raise ValidationError({"participants": "The number who took part must be between 0 and the number eligible."})
    d = Decision(
        organisation=organisation,
        title=title,
        kind=kind,
        held_on=held_on,
        eligible=eligible,
        participants=participants,
        outcome=outcome,
        stakeholder_class=stakeholder_class,
    )
    d.full_clean()
    d.save()
    record_event(
        actor=actor,
        action="engagement.decision.record",
        organisation=organisation,
        obj=d,
        summary=f"Recorded decision {title}: {participants} of {eligible} took part",
    )
    return d


@transaction.atomic
def do_set_benchmark_sharing(*, actor: Any, organisation: Organisation, share: bool) -> EngagementSettings:
    s, _ = EngagementSettings.objects.get_or_create(organisation=organisation)
    if s.share_benchmark != share:
        s.share_benchmark = share
        s.save()
        record_event(
            actor=actor,
            action="engagement.benchmark.share" if share else "engagement.benchmark.withdraw",
            organisation=organisation,
            summary="Agreed to share engagement figures with peers" if share else "Stopped sharing engagement figures",
        )
    return s


@transaction.atomic
def do_save_report(
    *, actor: Any, organisation: Organisation, year: int, how_we_engaged: str, what_changed: str, publish: bool = False
) -> EngagementReport:
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": f"Enter a year between 2000 and {timezone.localdate().year}."})
    report, _ = EngagementReport.objects.get_or_create(organisation=organisation, year=year)
    report.how_we_engaged = how_we_engaged
    report.what_changed = what_changed
    if publish and not report.published:
        report.published = True
        report.published_at = timezone.now()
    report.save()
    record_event(
        actor=actor,
        action="engagement.report.publish" if publish else "engagement.report.save",
        organisation=organisation,
        obj=report,
        summary=f"{'Published' if publish else 'Saved'} the {year} engagement report",
    )
    return report


@transaction.atomic
def do_unpublish_report(*, actor: Any, report: EngagementReport) -> EngagementReport:
    report.published = False
    report.save()
    record_event(
        actor=actor,
        action="engagement.report.unpublish",
        organisation=report.organisation,
        obj=report,
        summary=f"Withdrew the {report.year} engagement report from the public page",
    )
    return report
