"""Domain actions for the provider register: import (all-or-nothing) and officer overrides.

The import runs the plain-Python core (:mod:`coopgov.ownership`): each file's kind is detected
from its header row, CQC files give locations (the directory, the latest-ratings file and CQC
API records are merged location by location), the registers (Companies House, FCA mutuals,
Charity Commission, the user's employee-owned list) are indexed, and every provider is
classified with its evidence. Only then, in one transaction, are the rows written. A bad row is
in the report (file, line, reason) and skipped; a bad *file* raises
:class:`~coopgov.ownership.OwnershipInputError` before anything is written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from coopgov.apps.audit.services import record_event
from coopgov.ownership import (
    CharityRecord,
    Classification,
    CompanyRecord,
    EmployeeOwnedRecord,
    ImportReport,
    Location,
    OwnershipInputError,
    OwnershipModel,
    ProviderFacts,
    Registers,
    SocietyRecord,
    classify_providers,
    detect_kind,
    merge_facts,
    merge_locations,
    providers_from_locations,
    read_any,
)
from coopgov.ownership.classify import society_key
from coopgov.ownership.compare import primary_service_type

from .models import MODEL_CHOICES, RATING_FIELDS, Provider, ProviderImport, ProviderOverride
from .models import Location as LocationRow

RESEARCH_KINDS = frozenset({"bach-mortensen-carehomes", "bach-mortensen-by-year", "goodair-inspections"})
PROBLEMS_KEPT = 500
"""How many unreadable rows an import keeps as one-line messages (all are counted)."""
BATCH = 2000

Progress = Callable[[str, int], None]
"""``progress(stage, count)``: a file's rows read so far, or a writing stage's rows written."""

_POSTCODE_AREA = re.compile(r"^([A-Z]{1,2})\d")


def postcode_area(postcode: str) -> str:
    """The postcode area: the leading letters of the outward code (``"EX1 2QE"`` → ``"EX"``)."""
    m = _POSTCODE_AREA.match(postcode.strip().upper())
    return m.group(1) if m else ""


@dataclass(slots=True)
class ImportOutcome:
    record: ProviderImport
    reports: list[ImportReport] = field(default_factory=list)
    providers: int = 0
    locations: int = 0
    models: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Read:
    locations: list[Location] = field(default_factory=list)
    api_providers: dict[str, ProviderFacts] = field(default_factory=dict)
    companies: list[CompanyRecord] = field(default_factory=list)
    societies: list[SocietyRecord] = field(default_factory=list)
    charities: list[CharityRecord] = field(default_factory=list)
    employee_owned: list[EmployeeOwnedRecord] = field(default_factory=list)
    reports: list[ImportReport] = field(default_factory=list)


def _read_files(paths: Sequence[str | Path], progress: Progress | None) -> _Read:
    out = _Read()
    for path in paths:
        if not Path(path).is_file():
            raise OwnershipInputError("no such file", path=path)
        kind = detect_kind(path)
        if kind in RESEARCH_KINDS:
            raise OwnershipInputError(
                f"this is a research file ({kind}), not a CQC or register file: compare it with "
                "'coopgov ownership compare' instead",
                path=path,
            )
        rep = ImportReport()
        out.reports.append(rep)
        step = (lambda n, p=str(path): progress(p, n)) if progress is not None else None
        for item in read_any(path, kind, report=rep, progress=step):
            if isinstance(item, Location):
                out.locations.append(item)
            elif isinstance(item, ProviderFacts):
                out.api_providers[item.provider_id] = item
            elif isinstance(item, CompanyRecord):
                out.companies.append(item)
            elif isinstance(item, SocietyRecord):
                out.societies.append(item)
            elif isinstance(item, CharityRecord):
                out.charities.append(item)
            elif isinstance(item, EmployeeOwnedRecord):
                out.employee_owned.append(item)
    return out


def _provider_fields(facts: ProviderFacts, c: Classification, registers: Registers, n_locations: int) -> dict[str, Any]:
    number = facts.companies_house_number
    skey = society_key(number) if number else None
    society = registers.societies.get(skey) if skey else None
    return {
        "name": facts.name or c.provider_name or facts.provider_id,
        "cqc_ownership_type": facts.cqc_ownership_type,
        "companies_house_number": "" if society is not None else number,
        "charity_number": facts.charity_number,
        "fca_number": society.number if society is not None else "",
        "number_of_locations": n_locations,
        "current": True,
        "automatic_model": c.model.value,
        "automatic_rule": c.rule,
        "classification": _public_record(c.to_dict()),
        "needs_review": c.needs_review,
        "private_equity": "private_equity" in c.flags,
        "chain": "chain" in c.flags,
    }


_UPDATED = (
    "name",
    "cqc_ownership_type",
    "companies_house_number",
    "charity_number",
    "fca_number",
    "number_of_locations",
    "current",
    "automatic_model",
    "automatic_rule",
    "classification",
    "needs_review",
    "private_equity",
    "chain",
)
"""The fields an import refreshes (those of :func:`_provider_fields`)."""


def _public_record(d: dict[str, Any]) -> dict[str, Any]:
    """The classification as published: evidence ``record``s name the file, not the server's path.

    Edits ``d`` (a fresh :meth:`Classification.to_dict`) in place and returns it.
    """

    def fix(evidence: list[dict[str, str]]) -> None:
        for e in evidence:
            rec = e.get("record", "")
            if "/" in rec or "\\" in rec:
                e["record"] = rec.replace("\\", "/").rsplit("/", 1)[1]

    fix(d.get("evidence", []))
    fix(d.get("flag_evidence", []))
    for f in (*d.get("findings", []), *d.get("conflicts", [])):
        fix(f.get("evidence", []))
    if isinstance(d.get("automatic"), dict):
        _public_record(d["automatic"])
    return d


def do_import_cqc_register(
    *,
    actor: Any,
    paths: Sequence[str | Path],
    private_equity: Mapping[str, str] | None = None,
    chain_threshold: int = 10,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import CQC files and registers, classify every provider, and replace the register.

    Reading and classifying happen before the transaction; the writes (providers upserted,
    locations replaced, the import's report, one audit event) are one transaction, so a failure
    leaves the previous register as it was. Officers' overrides survive re-imports.
    """
    if not paths:
        raise OwnershipInputError("no files given")
    got = _read_files(paths, progress)
    if not got.locations:
        raise OwnershipInputError(
            "none of the files holds CQC locations: give the CQC care directory, latest-ratings file "
            "or API location records along with any registers",
            path=paths[0],
        )
    locations = merge_locations(got.locations)
    facts = providers_from_locations(locations)
    for pid, extra in got.api_providers.items():
        facts[pid] = merge_facts(facts[pid], extra) if pid in facts else extra
    registers = Registers.build(
        companies=got.companies,
        societies=got.societies,
        charities=got.charities,
        employee_owned=got.employee_owned,
        private_equity=private_equity,
    )
    classes = classify_providers(facts, registers, chain_threshold=chain_threshold)
    seen_per_provider = Counter(loc.provider_id for loc in locations if loc.provider_id)
    orphans = [loc for loc in locations if not loc.provider_id]
    # the report names each file, not where the server keeps it
    problems = [p.one_line().replace(rep.path, Path(rep.path).name, 1) for rep in got.reports for p in rep.problems]
    problems += [
        f"{Path(loc.source).name}:{loc.line}: location {loc.location_id} has no provider ID: not imported"
        for loc in orphans
    ]

    with transaction.atomic():
        record = ProviderImport.objects.create(
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            files=[
                {
                    "path": Path(rep.path).name,
                    "kind": rep.kind,
                    "rows_read": rep.rows_read,
                    "records": rep.records,
                    "problems": len(rep.problems),
                }
                for rep in got.reports
            ],
            problems=problems[:PROBLEMS_KEPT],
        )
        existing = dict(Provider.objects.values_list("cqc_provider_id", "override_model"))
        rows: list[Provider] = []
        for pid, c in classes.items():
            values = _provider_fields(facts[pid], c, registers, seen_per_provider.get(pid, 0))
            override = existing.get(pid) or ""
            rows.append(Provider(cqc_provider_id=pid, last_import=record, model=override or c.model.value, **values))
        # one upsert (INSERT … ON CONFLICT DO UPDATE) keyed on the CQC provider ID: officers' override
        # fields are not in the update list, so they survive; bulk_update would be quadratic here
        Provider.objects.bulk_create(
            rows,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["cqc_provider_id"],
            update_fields=[*_UPDATED, "model", "last_import"],
        )
        # providers not in this import keep their page and override history but leave the directory
        Provider.objects.filter(current=True).exclude(last_import=record).update(current=False)
        if progress is not None:
            progress("providers written", len(classes))
        ids = dict(Provider.objects.filter(last_import=record).values_list("cqc_provider_id", "id"))
        LocationRow.objects.all().delete()
        written = _insert_locations((loc for loc in locations if loc.provider_id), ids, progress=progress)
        summary = dict(sorted(Counter(c.model.value for c in classes.values()).items()))
        record.providers, record.locations, record.models_summary = len(classes), written, summary
        record.save(update_fields=["providers", "locations", "models_summary"])
        unreadable = sum(len(r.problems) for r in got.reports)
        record_event(
            actor=actor,
            action="providers.import",
            summary=(
                f"Imported {written} locations of {len(classes)} providers from {len(got.reports)} file(s); "
                f"{unreadable} rows could not be read"
            ),
            obj=record,
            after={"files": record.files, "models": summary},
        )
    return ImportOutcome(record=record, reports=got.reports, providers=len(classes), locations=written, models=summary)


_LOCATION_COLUMNS = (
    "cqc_location_id",
    "provider_id",
    "name",
    "postcode",
    "postcode_area",
    "region",
    "local_authority",
    "service_types",
    "primary_service_type",
    "care_home",
    "beds",
    *RATING_FIELDS.values(),
    "publication_date",
)


def _insert_locations(
    locations: Iterable[Location], provider_ids: Mapping[str, int], *, progress: Progress | None
) -> int:
    """Insert location rows with ``executemany`` in batches.

    The ORM's ``bulk_create`` spends most of a 60,000-row import preparing each value of each
    field; here only the JSON and date columns go through their field's database preparation
    (so PostgreSQL gets ``jsonb`` and ``date``, SQLite text), and the rest are plain values.
    """
    meta = LocationRow._meta
    table = connection.ops.quote_name(meta.db_table)
    fields = [meta.get_field(c) for c in _LOCATION_COLUMNS]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields if isinstance(f, Field) and f.column)
    placeholders = ", ".join(["%s"] * len(fields))
    # identifiers are the model's own, quoted by the backend; every value is a parameter
    sql = f"INSERT INTO {table} ({cols}) VALUES ({placeholders})"  # noqa: S608
    json_field = meta.get_field("service_types")
    date_field = meta.get_field("publication_date")
    kqs = list(RATING_FIELDS)
    written = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for loc in locations:
            batch.append(
                (
                    loc.location_id,
                    provider_ids[loc.provider_id],
                    (loc.name or loc.location_id)[:300],
                    loc.postcode[:10],
                    postcode_area(loc.postcode),
                    loc.region[:80],
                    loc.local_authority[:120],
                    json_field.get_db_prep_save(sorted(loc.service_types), connection),
                    primary_service_type(loc.service_types)[:120],
                    loc.care_home,
                    loc.beds if loc.beds is not None and loc.beds >= 0 else None,
                    *((r.value if (r := loc.ratings.get(kq)) is not None else "") for kq in kqs),
                    date_field.get_db_prep_save(loc.publication_date, connection),
                )
            )
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
                if progress is not None:
                    progress("locations written", written)
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
            if progress is not None:
                progress("locations written", written)
    return written


# ------------------------------------------------------------------------------------ overrides


def can_override(user: Any) -> bool:
    """Officers with a platform role (regulator, commissioner) and superusers may override."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "platform_role", "") in ("regulator", "commissioner"))


def can_import(user: Any) -> bool:
    """Replacing the register is for regulators and administrators (commissioners read it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "platform_role", "") == "regulator")


def require_override_permission(user: Any) -> None:
    if not can_override(user):
        raise PermissionDenied("Only regulators, commissioners and administrators can change a classification.")


_VALID_MODELS = {v for v, _ in MODEL_CHOICES}


def do_override_provider_model(*, actor: Any, provider: Provider, model: str, reason: str) -> Provider:
    """Set (``model`` a model value) or remove (``model == ""``) an officer's override, with a reason.

    The automatic classification is untouched; the change is a :class:`ProviderOverride` row
    and an audit event with the model before and after.
    """
    require_override_permission(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change"})
    if model and model not in _VALID_MODELS:
        raise ValidationError({"model": "Choose an ownership model from the list"})
    if model == (provider.override_model or ""):
        raise ValidationError({"model": "That is already this provider's classification"})
    with transaction.atomic():
        p = Provider.objects.select_for_update().get(pk=provider.pk)
        before = {"model": p.model, "override_model": p.override_model, "override_reason": p.override_reason}
        previous = p.model
        p.override_model = model
        p.override_reason = reason if model else ""
        p.overridden_by = actor if model else None
        p.overridden_at = timezone.now() if model else None
        p.model = model or p.automatic_model
        p.save(update_fields=["override_model", "override_reason", "overridden_by", "overridden_at", "model"])
        ProviderOverride.objects.create(
            provider=p,
            model=model,
            previous_model=previous,
            automatic_model=p.automatic_model,
            reason=reason,
            by=actor,
            by_label=getattr(actor, "email", str(actor)),
        )
        label = OwnershipModel(model).label if model else "the automatic classification"
        record_event(
            actor=actor,
            action="providers.override" if model else "providers.override_removed",
            summary=f"{p.name} ({p.cqc_provider_id}): ownership model set to {label}. Reason: {reason}",
            obj=p,
            before=before,
            after={"model": p.model, "override_model": p.override_model, "override_reason": p.override_reason},
        )
    return p


def providers_needing_review() -> Iterable[Provider]:
    return Provider.objects.filter(current=True, needs_review=True).order_by("name")
