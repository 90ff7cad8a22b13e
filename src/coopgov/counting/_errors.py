"""Helpers that turn low-level input problems into located :class:`CountingError` messages."""

from __future__ import annotations

from coopgov.counting._model import CountingError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from os import PathLike

__all__ = ["decode", "read_bytes"]


def read_bytes(path: str | PathLike[str], source: str) -> bytes:
    """The bytes of ``path``; an unreadable file is a :class:`CountingError` naming it."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise CountingError(f"cannot read the file: {exc.strerror or exc}", source) from None


def decode(data: bytes, source: str) -> str:
    """Decode ``data`` as UTF-8 (BOM allowed); on failure name the file, line and byte."""
    if not data.strip():
        raise CountingError("the file is empty", source, None)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CountingError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8",
            source,
            line,
        ) from None
