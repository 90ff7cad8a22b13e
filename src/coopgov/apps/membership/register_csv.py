"""CSV import and export of a membership register.

Import is two-phase.  :func:`check_register_csv` reads the whole file and lists every problem by row
and column without writing anything (the dry run).  :func:`do_import_register_csv` runs the same
checks and, only if there are none, writes every row in one transaction: all or nothing.

Columns (header row required, names case-insensitive, order free):

=====================  ========  ==============================================================
column                 required  meaning
=====================  ========  ==============================================================
full_name              yes       the member's name
stakeholder_class      yes       class name or slug, e.g. "Staff" or "staff"
joined_on              yes       date joined: YYYY-MM-DD or DD/MM/YYYY
constituency           if the class has constituencies
email                  no        used to recognise the same person across organisations
member_number          no        unique within the organisation
status                 no        applied, active (default), lapsed, suspended, ended
voting_rights          no        yes/no (default: the class's default)
date_of_birth          no        date
age_band, sex, ethnic_group, disability, postcode_district   no   self-declared demographics
=====================  ========  ==============================================================
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, models, transaction
from django.utils import timezone

from coopgov.apps.audit.services import record_event
from coopgov.apps.orgs.models import Organisation

from .models import (
    AgeBand,
    Disability,
    EthnicGroup,
    Membership,
    MembershipRecord,
    Person,
    Sex,
    Status,
)

REQUIRED = ("full_name", "stakeholder_class", "joined_on")
OPTIONAL = (
    "constituency",
    "email",
    "member_number",
    "status",
    "voting_rights",
    "date_of_birth",
    "age_band",
    "sex",
    "ethnic_group",
    "disability",
    "postcode_district",
)
EXPORT_COLUMNS = (
    "member_number",
    "full_name",
    "email",
    "stakeholder_class",
    "constituency",
    "status",
    "voting_rights",
    "joined_on",
    "ended_on",
    "age_band",
    "sex",
    "ethnic_group",
    "disability",
    "postcode_district",
)
_DEMOGRAPHIC_CHOICES: dict[str, dict[str, str]] = {}
for _name, _choices in (("age_band", AgeBand), ("sex", Sex), ("ethnic_group", EthnicGroup), ("disability", Disability)):
    lookup: dict[str, str] = {}
    for value, label in _choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    _DEMOGRAPHIC_CHOICES[_name] = lookup
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
BATCH = 2000

ProgressFn = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Problem:
    row: int | None  # the line number in the file (the header is line 1); None for file-level problems
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    people_created: int = 0
    people_matched: int = 0
    memberships_created: int = 0
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Row:
    line: int
    full_name: str
    email: str
    member_number: str
    class_id: int
    constituency_id: int | None
    status: str
    voting_rights: bool
    joined_on: datetime.date
    date_of_birth: datetime.date | None
    demographics: dict[str, str]


def _parse_date(text: str) -> datetime.date:
    text = text.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD or DD/MM/YYYY")


def _decode(data: bytes, file_name: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(
            line,
            None,
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); "
            "save it as 'CSV UTF-8' and try again",
        )


class _Checker:
    def __init__(self, organisation: Organisation, report: ImportReport) -> None:
        self.org = organisation
        self.report = report
        self.classes: dict[str, Any] = {}
        self.constituencies: dict[int, dict[str, int]] = {}
        for sc in organisation.stakeholder_classes.prefetch_related("constituencies"):
            self.classes[sc.name.lower()] = sc
            self.classes[sc.slug.lower()] = sc
            self.constituencies[sc.pk] = {}
            for c in sc.constituencies.all():
                self.constituencies[sc.pk][c.name.lower()] = c.pk
                self.constituencies[sc.pk][c.slug.lower()] = c.pk
        self.class_names = sorted({sc.name for sc in self.classes.values()})
        self.seen_emails: dict[str, int] = {}
        self.seen_numbers: dict[str, int] = {}

    def problem(self, line: int, column: str | None, message: str) -> None:
        self.report.problems.append(Problem(line, column, message))

    def check(self, line: int, raw: dict[str, str]) -> _Row | None:
        n_before = len(self.report.problems)

        def get(key: str) -> str:
            return (raw.get(key) or "").strip()

        full_name = get("full_name")
        if not full_name:
            self.problem(line, "full_name", "enter the member's name")
        elif len(full_name) > 200:
            self.problem(line, "full_name", "name is longer than 200 characters")
        sc = None
        class_text = get("stakeholder_class")
        if not class_text:
            self.problem(line, "stakeholder_class", "enter a stakeholder class")
        else:
            sc = self.classes.get(class_text.lower())
            if sc is None:
                self.problem(
                    line,
                    "stakeholder_class",
                    f"unknown stakeholder class {class_text!r}; this organisation has: {', '.join(self.class_names)}",
                )
        constituency_id = None
        const_text = get("constituency")
        if sc is not None:
            options = self.constituencies[sc.pk]
            if const_text:
                constituency_id = options.get(const_text.lower())
                if constituency_id is None:
                    self.problem(line, "constituency", f"{sc.name} has no constituency called {const_text!r}")
            elif options:
                self.problem(line, "constituency", f"members of {sc.name} need a constituency")
        joined_on = None
        try:
            joined_on = _parse_date(get("joined_on")) if get("joined_on") else None
            if joined_on is None:
                self.problem(line, "joined_on", "enter the date the member joined")
            elif joined_on > datetime.date.today():
                self.problem(line, "joined_on", f"{joined_on:%Y-%m-%d} is in the future")
        except ValueError as exc:
            self.problem(line, "joined_on", str(exc))
        dob = None
        if get("date_of_birth"):
            try:
                dob = _parse_date(get("date_of_birth"))
            except ValueError as exc:
                self.problem(line, "date_of_birth", str(exc))
        email = get("email").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.problem(line, "email", f"{email!r} is not a valid email address")
            else:
                if email in self.seen_emails:
                    self.problem(line, "email", f"duplicate person: {email} is also on row {self.seen_emails[email]}")
                else:
                    self.seen_emails[email] = line
        number = get("member_number")
        if number:
            if number in self.seen_numbers:
                self.problem(
                    line,
                    "member_number",
                    f"duplicate person: member number {number} is also on row {self.seen_numbers[number]}",
                )
            else:
                self.seen_numbers[number] = line
        status = get("status").lower() or Status.ACTIVE
        if status not in Status.values:
            self.problem(line, "status", f"unknown status {status!r}; use one of {', '.join(Status.values)}")
        voting_text = get("voting_rights").lower()
        voting = sc.voting_by_default if sc is not None else True
        if voting_text:
            if voting_text in _YES:
                voting = True
            elif voting_text in _NO:
                voting = False
            else:
                self.problem(line, "voting_rights", f"{voting_text!r} is not yes or no")
        demographics: dict[str, str] = {}
        for name, lookup in _DEMOGRAPHIC_CHOICES.items():
            text = get(name)
            if text:
                value = lookup.get(text.lower())
                if value is None:
                    self.problem(line, name, f"{text!r} is not one of the allowed answers")
                else:
                    demographics[name] = value
        district = get("postcode_district").upper().replace(" ", "")
        if district:
            if not _POSTCODE_DISTRICT.match(district):
                self.problem(line, "postcode_district", f"{district!r} is not a postcode district like EX4 or SW1A")
            else:
                demographics["postcode_district"] = district
        if len(self.report.problems) > n_before or sc is None or joined_on is None:
            return None
        return _Row(
            line, full_name, email, number, sc.pk, constituency_id, status, voting, joined_on, dob, demographics
        )


def _rows(text: str, report: ImportReport) -> Iterator[tuple[int, dict[str, str]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        report.problems.append(Problem(None, None, "the file is empty"))
        return None
    except csv.Error as exc:
        report.problems.append(Problem(1, None, f"the header row cannot be read: {exc}"))
        return None
    columns = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    for c in missing:
        report.problems.append(Problem(1, c, f"missing column {c!r}; the header needs {', '.join(REQUIRED)}"))
    dupes = {c for c in columns if columns.count(c) > 1 and c}
    for c in sorted(dupes):
        report.problems.append(Problem(1, c, f"column {c!r} appears more than once"))
    for c in columns:
        if c and c not in REQUIRED and c not in OPTIONAL:
            report.warnings.append(Problem(1, c, "unknown column, ignored"))
    if missing or dupes:
        return None

    def gen() -> Iterator[tuple[int, dict[str, str]]]:
        width = len(columns)
        try:
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != width:
                    report.problems.append(
                        Problem(line, None, f"has {len(values)} values but the header has {width} columns")
                    )
                    continue
                yield line, dict(zip(columns, values, strict=True))
        except csv.Error as exc:
            report.problems.append(Problem(reader.line_num, None, f"cannot be read as CSV: {exc}"))

    return gen()


def _chunks(items: list[str], size: int = 900) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _check_against_database(org: Organisation, rows: list[_Row], report: ImportReport) -> dict[str, int]:
    """Existing people matched by email; refuse rows that are already members of this organisation."""
    emails = sorted({r.email for r in rows if r.email})
    people: dict[str, int] = {}
    for chunk in _chunks(emails):
        for pid, email in Person.objects.filter(email__in=chunk).values_list("id", "email"):
            people.setdefault(email.lower(), pid)
    member_people = (
        set(
            Membership.objects.filter(organisation=org, person_id__in=list(people.values())).values_list(
                "person_id", flat=True
            )
        )
        if people
        else set()
    )
    numbers = set(
        Membership.objects.filter(organisation=org).exclude(member_number="").values_list("member_number", flat=True)
    )
    for r in rows:
        if r.email and people.get(r.email) in member_people:
            report.problems.append(
                Problem(r.line, "email", f"duplicate person: {r.email} is already a member of {org.name}")
            )
        if r.member_number and r.member_number in numbers:
            report.problems.append(
                Problem(
                    r.line,
                    "member_number",
                    f"duplicate person: member number {r.member_number} is already in the register",
                )
            )
    return people


def _read(
    organisation: Organisation, data: bytes, file_name: str, progress: ProgressFn | None
) -> tuple[ImportReport, list[_Row], dict[str, int]]:
    report = ImportReport(file_name=file_name)
    text, problem = _decode(data, file_name)
    if problem is not None or text is None:
        report.problems.append(problem or Problem(None, None, "cannot be read"))
        return report, [], {}
    rows_iter = _rows(text, report)
    if rows_iter is None:
        return report, [], {}
    total = text.count("\n")
    checker = _Checker(organisation, report)
    rows: list[_Row] = []
    for line, raw in rows_iter:
        report.rows += 1
        row = checker.check(line, raw)
        if row is not None:
            rows.append(row)
        if progress and report.rows % 5000 == 0:
            progress(report.rows, total)
    if report.rows == 0 and not report.problems:
        report.problems.append(Problem(None, None, "the file has a header but no members"))
    people = _check_against_database(organisation, rows, report) if rows else {}
    report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return report, rows, people


def check_register_csv(
    organisation: Organisation, data: bytes, *, file_name: str = "upload.csv", progress: ProgressFn | None = None
) -> ImportReport:
    """The dry run: every problem by row and column; writes nothing."""
    report, _, _ = _read(organisation, data, file_name, progress)
    return report


def do_import_register_csv(
    *,
    actor: Any,
    organisation: Organisation,
    data: bytes,
    file_name: str = "upload.csv",
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Check, then import every row in one transaction; on any problem nothing is written."""
    report, rows, people = _read(organisation, data, file_name, progress)
    if not report.ok:
        return report
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        report.people_matched = sum(1 for r in rows if r.email and r.email in people)
        new_rows = [r for r in rows if not (r.email and r.email in people)]
        new_ids = _insert(
            Person,
            [
                "full_name",
                "email",
                "date_of_birth",
                "age_band",
                "sex",
                "ethnic_group",
                "disability",
                "postcode_district",
                "created_at",
            ],
            (
                (
                    r.full_name,
                    r.email,
                    r.date_of_birth,
                    r.demographics.get("age_band", ""),
                    r.demographics.get("sex", ""),
                    r.demographics.get("ethnic_group", ""),
                    r.demographics.get("disability", ""),
                    r.demographics.get("postcode_district", ""),
                    _now(),
                )
                for r in new_rows
            ),
            len(new_rows),
        )
        report.people_created = len(new_ids)
        it = iter(new_ids)
        person_ids = [people[r.email] if (r.email and r.email in people) else next(it) for r in rows]
        now = _now()
        membership_ids = _insert(
            Membership,
            [
                "organisation_id",
                "person_id",
                "member_number",
                "sort_name",
                "stakeholder_class_id",
                "constituency_id",
                "status",
                "voting_rights",
                "applied_on",
                "joined_on",
                "ended_on",
                "updated_at",
            ],
            (
                (
                    organisation.pk,
                    pid,
                    r.member_number,
                    r.full_name.casefold(),
                    r.class_id,
                    r.constituency_id,
                    r.status,
                    r.voting_rights,
                    None,
                    r.joined_on,
                    r.joined_on if r.status == Status.ENDED else None,
                    now,
                )
                for r, pid in zip(rows, person_ids, strict=True)
            ),
            len(rows),
        )
        by = recorded_by.pk if recorded_by is not None else None
        reason = f"imported from {file_name}"[:300]

        def records() -> Iterator[tuple[Any, ...]]:
            for r, mid in zip(rows, membership_ids, strict=True):
                first = Status.APPLIED if r.status == Status.APPLIED else Status.ACTIVE
                yield (mid, r.joined_on, first, r.class_id, r.constituency_id, r.voting_rights, reason, now, by)
                if r.status not in (Status.ACTIVE, Status.APPLIED):
                    yield (
                        mid,
                        r.joined_on,
                        r.status,
                        r.class_id,
                        r.constituency_id,
                        r.voting_rights,
                        f"{reason} with status {r.status}"[:300],
                        now,
                        by,
                    )

        _insert(
            MembershipRecord,
            [
                "membership_id",
                "effective_from",
                "status",
                "stakeholder_class_id",
                "constituency_id",
                "voting_rights",
                "reason",
                "recorded_at",
                "recorded_by_id",
            ],
            records(),
            None,
        )
        report.memberships_created = len(membership_ids)
        if progress:
            progress(report.rows, report.rows)
        record_event(
            actor=actor,
            action="membership.import",
            organisation=organisation,
            summary=f"Imported {len(membership_ids)} members from {file_name}",
            after={
                "file": file_name,
                "rows": report.rows,
                "people_created": report.people_created,
                "people_matched": report.people_matched,
            },
        )
        report.committed = True
    return report


def _now() -> datetime.datetime:
    return timezone.now()


def _insert(
    model: type[models.Model], fields: list[str], rows: Iterable[tuple[Any, ...]], expected: int | None
) -> list[int]:
    """Insert many rows with one prepared statement and return their ids in insertion order.

    Django's ``bulk_create`` builds a model instance and prepares every value through the ORM, which
    costs more than the database does for a 100,000-row register.  This writes plain tuples with
    batched statements inside the caller's transaction.  Ids: on PostgreSQL from a multi-row
    ``INSERT … RETURNING`` (in VALUES order, as Django's bulk_create relies on); on SQLite the
    transaction holds the database's write lock (``transaction_mode=IMMEDIATE``), so the new ids
    are exactly those above the maximum before.
    ``expected=None`` skips reading ids back.
    """
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns: list[str] = []
    for name in fields:
        field = meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name)
        assert isinstance(field, models.Field) and field.column
        columns.append(field.column)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - identifiers from model metadata, quoted
    assert meta.pk is not None and meta.pk.column
    pk = connection.ops.quote_name(meta.pk.column)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One multi-row INSERT per batch; RETURNING gives the ids in VALUES order, which is what
            # Django's own bulk_create relies on for PostgreSQL.
            returning = f" RETURNING {pk}" if expected is not None else ""
            for chunk in _batched(rows, 1000):
                values = ", ".join([f"({marks})"] * len(chunk))
                flat = [v for row in chunk for v in row]
                cursor.execute(f"INSERT INTO {table} ({cols}) VALUES {values}{returning}", flat)  # noqa: S608
                if expected is not None:
                    ids.extend(r[0] for r in cursor.fetchall())
            return ids
        before = 0
        if expected is not None:
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608
            before = cursor.fetchone()[0]
        for chunk in _batched(rows, BATCH):
            cursor.executemany(sql, chunk)
        if expected is not None:
            cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s ORDER BY {pk}", [before])  # noqa: S608
            ids = [r[0] for r in cursor.fetchall()]
            if len(ids) != expected:
                raise RuntimeError(f"{meta.db_table}: inserted {expected} rows but found {len(ids)} new ids")
    return ids


def _batched(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


EXPORT_VALUES = (
    "member_number",
    "person__full_name",
    "person__email",
    "stakeholder_class__name",
    "constituency__name",
    "status",
    "voting_rights",
    "joined_on",
    "ended_on",
    "person__age_band",
    "person__sex",
    "person__ethnic_group",
    "person__disability",
    "person__postcode_district",
)


def iter_register_csv(rows: Iterable[tuple[Any, ...]], block: int = 1000) -> Iterator[str]:
    """Yield the register as CSV text (header first) in blocks of rows, for streaming downloads.

    ``rows`` are tuples in the order of :data:`EXPORT_VALUES` (see :func:`export_queryset`).
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for n, row in enumerate(rows, start=1):
        values = list(row)
        values[3] = values[3] or ""
        values[4] = values[4] or ""
        values[6] = "yes" if values[6] else "no"
        values[7] = values[7].isoformat() if values[7] else ""
        values[8] = values[8].isoformat() if values[8] else ""
        writer.writerow(values)
        if n % block == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def export_queryset(organisation: Organisation) -> Iterator[tuple[Any, ...]]:
    return (
        Membership.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list(*EXPORT_VALUES)
        .iterator(chunk_size=5000)
    )
