"""No inline script in our templates (a content-security policy can then forbid it): behaviour
comes from static files; data goes through json_script (type application/json, not run)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_no_template_has_inline_event_handlers_or_scripts() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)}" for m in INLINE_HANDLER.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
    assert found == []


def test_irreversible_moves_ask_first() -> None:
    text = {p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")}
    assert 'data-confirm="锁定后该月不再变动，确认锁定？"' in text["run_detail.html"]
    assert 'data-confirm="确认办理退出？岗位将恢复为空岗。"' in text["application_detail.html"]
    assert "data-confirm" in text["approve.html"]
