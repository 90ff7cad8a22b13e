"""Errors and import reports.

A *user mistake* that stops an import (missing file, no header row, a required column absent)
raises :class:`OwnershipInputError`, which carries the file, line and field so the CLI can print
one line and exit 2. A *bad row* never stops an import: it is recorded as a :class:`RowProblem`
in the :class:`ImportReport` and the row is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class OwnershipInputError(Exception):
    """A problem with an input file that stops the import, located by file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": field {self.field!r}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be read; ``line`` is the 1-based physical line (or record) number."""

    path: str
    line: int
    reason: str
    field: str | None = None

    def one_line(self) -> str:
        f = f" field {self.field!r}:" if self.field else ""
        return f"{self.path}:{self.line}:{f} {self.reason}"


@dataclass(slots=True)
class ImportReport:
    """What an importer read: rows seen, records produced and the rows it could not read."""

    path: str = ""
    kind: str = ""
    rows_read: int = 0
    records: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(self, line: int, reason: str, field: str | None = None) -> None:
        self.problems.append(RowProblem(self.path, line, reason, field))

    def summary(self) -> str:
        s = (
            f"{self.path} ({self.kind}): {self.rows_read} rows read, {self.records} records, "
            f"{len(self.problems)} rows could not be read"
        )
        return s
