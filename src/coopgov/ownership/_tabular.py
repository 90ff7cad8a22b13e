"""Reading CSV and ODS tables row by row, finding the header row when it is not the first.

CSV is streamed with the ``csv`` module. The encoding is sniffed once (UTF-8 with or without BOM,
else Windows-1252, which CQC's older downloads use). ODS (OpenDocument, as CQC publishes its
directory and ratings) is streamed too: ``content.xml`` is parsed incrementally with
``iterparse``; the first sheet whose first rows hold the header is read (CQC workbooks may open
with a cover sheet). Line numbers in ODS reports are row numbers within that sheet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

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
    """UTF-8 (BOM or not) if the whole file decodes as UTF-8, else Windows-1252; read in chunks."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line number where the record starts, fields)."""
    encoding = _sniff_encoding(path)
    # errors="replace": Windows-1252 leaves five bytes undefined; a stray one must not stop us
    with path.open(newline="", encoding=encoding, errors="replace") as fh:
        if delimiter is None:
            sample = fh.read(65536)
            fh.seek(0)
            first = sample.splitlines()[0] if sample else ""
            delimiter = "\t" if first.count("\t") > first.count(",") else ","
        # NUL bytes (seen in exports from some databases) make the csv module raise: drop them
        reader = csv.reader((ln.replace("\0", "") if "\0" in ln else ln for ln in fh), delimiter=delimiter)
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


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_MAX_REPEAT = 10000
"""Repeated *non-empty* cells or rows are expanded up to this many times; runs of empty cells
or rows (spreadsheets pad to 16,384 columns and 1,048,576 rows) are never materialised."""


def _ods_cell_text(cell: Any) -> str:
    parts: list[str] = []
    for para in cell.iter(f"{_ODS_TEXT}p"):
        chunks: list[str] = []
        for node in para.iter():
            if node is not para and node.tag == f"{_ODS_TEXT}s":
                chunks.append(" " * int(node.get(f"{_ODS_TEXT}c", "1")))
            elif node.tag == f"{_ODS_TEXT}tab":
                chunks.append("\t")
            if node is para:
                chunks.append(node.text or "")
            else:
                chunks.append(node.tail or "")
                if node.tag not in (f"{_ODS_TEXT}s", f"{_ODS_TEXT}tab"):
                    chunks.append(node.text or "")
        parts.append("".join(chunks))
    return "\n".join(parts)


def _ods_rows(path: Path) -> Iterator[tuple[int, int, list[str]]]:
    """Stream (sheet index, row number within the sheet, cell texts) from an ODS file.

    ``content.xml`` is parsed incrementally (``iterparse``) and each row is discarded once
    yielded, so memory does not grow with the sheet. Cell text is what the spreadsheet shows.
    """
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
        content = archive.open("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise OwnershipInputError(f"unreadable ODS spreadsheet: {exc}", path=path) from None
    sheet = -1
    row_no = 0
    try:
        for event, elem in ET.iterparse(content, events=("start", "end")):  # noqa: S314
            if event == "start":
                if elem.tag == f"{_ODS_TABLE}table":
                    sheet += 1
                    row_no = 0
                continue
            if elem.tag != f"{_ODS_TABLE}table-row":
                continue
            cells: list[str] = []
            pending_empty = 0
            for cell in elem:
                if cell.tag not in (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"):
                    continue
                repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                text = _ods_cell_text(cell)
                if not text:
                    pending_empty += repeat
                    continue
                cells.extend([""] * pending_empty)
                pending_empty = 0
                cells.extend([text] * min(repeat, _MAX_REPEAT))
            row_repeat = int(elem.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            elem.clear()
            if not cells:
                row_no += row_repeat
                continue
            for _ in range(min(row_repeat, _MAX_REPEAT)):
                row_no += 1
                yield sheet, row_no, list(cells)
    except ET.ParseError as exc:
        raise OwnershipInputError(f"unreadable ODS spreadsheet: {exc}", path=path) from None
    finally:
        content.close()
        archive.close()


def _ods_table_rows(path: Path, keys: set[str]) -> tuple[tuple[int, list[str]], Iterator[tuple[int, list[str]]]] | None:
    """Find the first sheet with a header row holding one of ``keys`` in its first rows; return
    that header and the sheet's remaining rows (padded to the header's width)."""
    rows = _ods_rows(path)
    for sheet, line, fields in rows:
        if line > HEADER_SEARCH_ROWS:
            continue
        if keys & {norm_header(f) for f in fields}:
            width = len(fields)

            def rest(current: int = sheet, width: int = width) -> Iterator[tuple[int, list[str]]]:
                for sh, ln, fs in rows:
                    if sh != current:
                        return
                    # an ODS row drops trailing empty cells: pad it back to the header's width
                    yield ln, fs + [""] * (width - len(fs)) if len(fs) < width else fs

            return (line, fields), rest()
    return None


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
    keys = {norm_header(k) for k in key_columns}
    if p.suffix.casefold() == ".ods":
        found = _ods_table_rows(p, keys)
        if found is None:
            raise OwnershipInputError(
                f"no sheet with a header row with a {key_columns[0]!r} column in its first {HEADER_SEARCH_ROWS} rows",
                path=p,
            )
        (line, fields), ods_rest = found
        return Table(str(p), tuple(norm_header(f) for f in fields), tuple(f.strip() for f in fields), line), ods_rest
    if p.suffix.casefold() in {".xlsx", ".xls"}:
        raise OwnershipInputError("Excel files are not supported: save as CSV or ODS", path=p)
    rows: Iterator[tuple[int, list[str]]] = _csv_rows(p, delimiter)
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
