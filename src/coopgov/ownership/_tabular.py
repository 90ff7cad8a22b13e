"""Reading CSV and ODS tables row by row, finding the header row when it is not the first.

CSV is streamed with the ``csv`` module. The encoding is sniffed once (UTF-8 with or without BOM,
else Windows-1252, which CQC's older downloads use). ODS (OpenDocument, as CQC publishes its
directory) is read with pandas' odf engine: a zipped XML document cannot be streamed row by row,
so its rows are materialised once and then yielded like CSV rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from coopgov.ownership._errors import OwnershipInputError

T = TypeVar("T")

Progress = Callable[[int], None]
"""Called with the number of data rows read so far (every ``PROGRESS_EVERY`` rows and at the end)."""

PROGRESS_EVERY = 5000
HEADER_SEARCH_ROWS = 25

csv.field_size_limit(2**31 - 1)


def norm_header(name: str) -> str:
    """Header key: whitespace collapsed and stripped, case-folded (``" CompanyNumber"`` → ``"companynumber"``)."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True, slots=True)
class Table:
    """A table's header (normalised keys, original spellings) and the line it was found on."""

    path: str
    header: tuple[str, ...]
    original: tuple[str, ...]
    header_line: int

    def index(self, *aliases: str) -> int | None:
        """Index of the first column whose normalised name matches one of ``aliases``."""
        for alias in aliases:
            key = norm_header(alias)
            if key in self.header:
                return self.header.index(key)
        return None

    def require(self, *aliases: str) -> int:
        i = self.index(*aliases)
        if i is None:
            raise OwnershipInputError(
                f"required column {aliases[0]!r} not found in the header row",
                path=self.path,
                line=self.header_line,
                field=aliases[0],
            )
        return i


def _sniff_encoding(path: Path) -> str:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line number where the record starts, fields)."""
    encoding = _sniff_encoding(path)
    with path.open(newline="", encoding=encoding) as fh:
        if delimiter is None:
            sample = fh.read(65536)
            fh.seek(0)
            first = sample.splitlines()[0] if sample else ""
            delimiter = "\t" if first.count("\t") > first.count(",") else ","
        reader = csv.reader(fh, delimiter=delimiter)
        line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise OwnershipInputError(f"unreadable CSV: {exc}", path=path, line=reader.line_num) from None
            yield line, row
            line = reader.line_num + 1


def _ods_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import pandas as pd

    try:
        frame = pd.read_excel(path, engine="odf", header=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # odfpy/zipfile raise many types for a corrupt file
        raise OwnershipInputError(f"unreadable ODS spreadsheet: {exc}", path=path) from None
    for i, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        yield i, ["" if v is None else str(v) for v in values]


def open_table(
    path: str | Path,
    key_columns: Sequence[str],
    *,
    delimiter: str | None = None,
) -> tuple[Table, Iterator[tuple[int, list[str]]]]:
    """Open ``path`` and find its header: the first of the first rows holding any of ``key_columns``.

    Returns the header and an iterator over the remaining (line, fields) rows.
    """
    p = Path(path)
    if not p.is_file():
        raise OwnershipInputError("file not found", path=p)
    if p.suffix.casefold() == ".ods":
        rows: Iterator[tuple[int, list[str]]] = _ods_rows(p)
    elif p.suffix.casefold() in {".xlsx", ".xls"}:
        raise OwnershipInputError("Excel files are not supported: save as CSV or ODS", path=p)
    else:
        rows = _csv_rows(p, delimiter)
    keys = {norm_header(k) for k in key_columns}
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            line, fields = next(rows)
        except StopIteration:
            break
        normed = [norm_header(f) for f in fields]
        if keys & set(normed):
            return Table(str(p), tuple(normed), tuple(f.strip() for f in fields), line), rows
    raise OwnershipInputError(
        f"no header row with a {key_columns[0]!r} column in the first {HEADER_SEARCH_ROWS} rows",
        path=p,
    )


def counted(rows: Iterable[T], progress: Progress | None) -> Iterator[T]:
    """Pass rows through, calling ``progress`` every ``PROGRESS_EVERY`` rows and at the end."""
    n = 0
    for item in rows:
        n += 1
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
        yield item
    if progress is not None:
        progress(n)


def cell(fields: Sequence[str], index: int | None) -> str:
    """The stripped field at ``index`` ('' when the column is absent or the row is short)."""
    if index is None or index >= len(fields):
        return ""
    return fields[index].strip()
