"""Hostile spreadsheets built in the test: parts that unpack to hundreds of megabytes (streamed
into the zip, so building them costs a few megabytes of memory), sizes forged in the zip's
headers, a sheet whose one far cell makes its extent enormous."""

import io
import struct
import zipfile
from collections.abc import Callable, Iterator

from openpyxl import Workbook

MB = 1024 * 1024


def template(headers: list[str], rows: list[list[str]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def padded_xml(head: bytes, tail: bytes, size: int) -> Callable[[], Iterator[bytes]]:
    """A part of `size` bytes: head, then spaces (well-formed XML whitespace), then tail."""

    def chunks() -> Iterator[bytes]:
        yield head
        left = size - len(head) - len(tail)
        block = b" " * MB
        while left > 0:
            yield block[: min(left, MB)]
            left -= MB
        yield tail

    return chunks


def replace_part(data: bytes, name: str, content: Callable[[], Iterator[bytes]]) -> bytes:
    """`data` (an .xlsx) with part `name` replaced by (or added as) the streamed `content`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        with target.open(name, "w") as part:
            for chunk in content():
                part.write(chunk)
    return out.getvalue()


def forge_size(data: bytes, name: str, declared: int) -> bytes:
    """The zip with the uncompressed size of `name` rewritten to `declared` in both its local
    header and the central directory (what a reader that trusts declared sizes believes)."""
    buffer = bytearray(data)
    encoded = name.encode()
    # (signature, offset of the uncompressed size, of the name's length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = 0
        while (at := buffer.find(signature, start)) >= 0:
            start = at + 4
            length = struct.unpack_from("<H", buffer, at + length_at)[0]
            if bytes(buffer[at + name_at : at + name_at + length]) == encoded:
                struct.pack_into("<I", buffer, at + size_at, declared)
    return bytes(buffer)


def with_row(data: bytes, row: str) -> bytes:
    """The workbook's first sheet with one more row (raw XML)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    name = "xl/worksheets/sheet1.xml"
    xml = source.read(name).replace(b"</sheetData>", row.encode() + b"</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == name else source.read(item.filename))
    return out.getvalue()
