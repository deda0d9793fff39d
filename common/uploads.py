"""What an uploaded spreadsheet may be, checked before anything parses it: at most UPLOAD_MAX_MB
as sent, and (an .xlsx being a zip of XML parts) every part at most so large once unpacked,
counted while it is really decompressed: a part's declared size is only a claim of the file
itself, so a forged one is found by unpacking and refused as a damaged file.

Every upload (applicant import, rosters, attendance, 新老衔接) passes `size_check` through
common.sheets.read_table, and the web pages also through LimitedUploadHandler (the first of
FILE_UPLOAD_HANDLERS), which stops keeping a file's bytes once it passes the limit.

A file kept for a background job lives in the default storage (`storages["default"]`: the local
MEDIA_ROOT, or an S3-compatible bucket that web and workers on several machines share), under
KEPT_DIR as `<token>.xlsx`: nothing here opens a local path."""

import copy
import datetime as dt
import io
import re
import uuid
import zipfile
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MB = 1024 * 1024
# Unpacked sizes. A 50,000-row applicant file is 2.3 MB as sent and its sheet 32 MB unpacked; a
# sheet or shared-strings part of 100 MB is some 150,000 such rows.
MAX_PART_BYTES = 100 * MB  # a worksheet or the shared strings
MAX_OTHER_PART_BYTES = 20 * MB  # workbook, styles, relationships, pictures: kilobytes in practice
MAX_UNPACKED_BYTES = 200 * MB  # all parts together
MAX_PARTS = 2_000
CHUNK = MB
BIG_PARTS = ("xl/worksheets/", "xl/sharedStrings.xml")


KEPT_DIR = "imports"  # in the default storage: files waiting for their background check or import
TOKEN = re.compile(r"^[0-9a-f]{32}$")


class UploadRefused(ValueError):
    """The file is refused before reading; the message is for the user."""


def storage() -> Storage:
    """The storage uploads and job files go to (settings.STORAGES["default"])."""
    return storages["default"]


def keep(upload: IO[bytes]) -> str:
    """Keep an uploaded file for a background job (after the one size check); its token. The
    file holds whole ID and bank numbers: the job removes it once done with it, a refused one at
    once, and a nightly task whatever is left (kept_stale_remove)."""
    content = upload if isinstance(upload, File) else File(upload)
    size_check(content.size or 0)
    token = uuid.uuid4().hex
    content.seek(0)
    store(kept_name(token), content)
    return token


def store(name: str, content: File) -> str:
    """Save `content` under `name`, a random name that the caller has chosen and recorded."""
    saved = storage().save(name, content)
    if saved != name:  # a random name never exists already: a storage renaming it would lose it
        storage().delete(saved)
        raise RuntimeError(f"the storage renamed {name} to {saved}")
    return name


def kept_name(token: str) -> str:
    """The storage name of the file behind `token` (a token is 32 hex digits: nothing else is a
    name, so a token from a request or a job cannot reach another file)."""
    name = token if TOKEN.match(token) else "0" * 32
    return f"{KEPT_DIR}/{name}.xlsx"


def kept_exists(token: str) -> bool:
    return storage().exists(kept_name(token))


def kept_open(token: str) -> IO[bytes]:
    """The kept file, opened for reading (a context manager); FileNotFoundError once removed."""
    return storage().open(kept_name(token), "rb")


def kept_remove(token: str) -> None:
    """Remove the kept file (nothing happens when it is already gone)."""
    storage().delete(kept_name(token))


def kept_stale_remove(older_than: dt.datetime) -> int:
    """Remove kept files last written before `older_than`; how many. One listing of KEPT_DIR and
    one look at each file's time (on S3, a HEAD request per file)."""
    store = storage()
    try:
        _, names = store.listdir(KEPT_DIR)
    except FileNotFoundError:  # the local folder is made by the first upload
        return 0
    removed = 0
    for name in names:
        path = f"{KEPT_DIR}/{name}"
        if store.get_modified_time(path) < older_than:
            store.delete(path)
            removed += 1
    return removed


def max_bytes() -> int:
    return settings.UPLOAD_MAX_MB * MB


def too_large_message() -> str:
    return f"文件超过 {settings.UPLOAD_MAX_MB} MB，未导入任何数据：请删去多余的工作表、图片，或拆分后分批上传"


def size_check(size: int) -> None:
    """The one check of an upload's size as sent (forms, pages, commands)."""
    if size > max_bytes():
        raise UploadRefused(too_large_message())


def read_bounded(source: str | IO[bytes]) -> bytes:
    """The whole upload, never reading more than the limit plus one byte."""
    declared = getattr(source, "size", None)  # an UploadedFile knows its size before any read
    if isinstance(declared, int):
        size_check(declared)
    if isinstance(source, str):
        with open(source, "rb") as handle:
            data = handle.read(max_bytes() + 1)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(max_bytes() + 1)
    size_check(len(data))
    return data


def archive_check(data: bytes) -> None:
    """Unpack every part of an .xlsx (a zip) counting its real bytes, one chunk at a time, and
    refuse the file when a part or all of them pass their bounds or a part's real size is not
    the one the file declares. Peak memory: one chunk. An .xls (not a zip) passes unchanged."""
    if not data.startswith(b"PK"):
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise UploadRefused("文件结构异常（压缩包内文件过多），无法读取")
        total = 0
        for part in parts:
            total += _unpacked_size(archive, part)
            if total > MAX_UNPACKED_BYTES:
                raise UploadRefused(_too_large_unpacked("整个文件", MAX_UNPACKED_BYTES))


def _unpacked_size(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    limit = MAX_PART_BYTES if part.filename.startswith(BIG_PARTS) else MAX_OTHER_PART_BYTES
    probe = copy.copy(part)
    probe.file_size = limit + 1  # zipfile stops at the declared size: let it read past it,
    del probe.CRC  # and not check the CRC of what it stopped in (calamine checks complete parts)
    real = 0
    with archive.open(probe) as stream:
        while chunk := stream.read(CHUNK):
            real += len(chunk)
            if real > limit:
                raise UploadRefused(_too_large_unpacked(f"其中的「{part.filename[:60]}」", limit))
    if real != part.file_size:
        raise UploadRefused("文件已损坏（压缩包登记的大小与实际内容不符），无法读取")
    return real


def _too_large_unpacked(what: str, limit: int) -> str:
    return (
        f"文件无法读取：{what}解压后超过 {limit // MB} MB，"
        "请只保留需要导入的工作表后重新保存，或拆分后分批上传"
    )


class OversizeUpload(UploadedFile):
    """A file that passed UPLOAD_MAX_MB: only its size is kept, so that the form or the import
    names the limit (instead of 'no file')."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(io.BytesIO(b""), name=name, content_type="application/octet-stream", size=size)


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes a file's chunks on to Django's handlers until the
    file passes UPLOAD_MAX_MB, then keeps nothing more and answers an OversizeUpload. A refused
    200 MB upload so costs its transfer, never more than the limit on disk or in memory."""

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return None if self.received > max_bytes() else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received > max_bytes():
            return OversizeUpload(self.file_name or "", self.received)
        return None
