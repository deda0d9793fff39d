"""The base of our forms: Chinese full-width colon after labels (Django's default is ASCII)."""

from typing import Any

from django import forms


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
