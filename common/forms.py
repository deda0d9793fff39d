"""The base of our forms: Chinese full-width colon after labels (Django's default is ASCII); the
one field for uploaded spreadsheets."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .uploads import UploadRefused, size_check

FILE_NAME_MAX = 200  # as stored (Roster.file_name); longer names are cut, keeping their ending


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class SpreadsheetField(forms.FileField):
    """An uploaded .xlsx/.xls: refused above UPLOAD_MAX_MB (common.uploads.size_check) before
    anything keeps or reads it; its name cut to FILE_NAME_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": "请选择要上传的文件", "empty": "上传的文件是空的"})
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> UploadedFile | None:
        upload = super().clean(data, initial)
        if upload is not None:
            try:
                size_check(upload.size or 0)
            except UploadRefused as exc:
                raise ValidationError(str(exc)) from exc
            upload.name = short_name(upload.name or "")
        return upload


def short_name(name: str, limit: int = FILE_NAME_MAX) -> str:
    """A file name no longer than `limit`, its ending (.xlsx) kept."""
    if len(name) <= limit:
        return name
    stem, dot, ending = name.rpartition(".")
    if not dot or len(ending) > 10:
        return name[:limit]
    return stem[: limit - len(ending) - 1] + "." + ending
