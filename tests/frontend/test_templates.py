"""Static checks over every HTML template in the project: the rules the browser tests cannot reach
on pages no test visits.

* No inline script, inline style or event-handler attribute: the Content-Security-Policy
  (``script-src 'self'; style-src 'self'``) would block them.
* A page that extends ``base.html`` sets its title (WCAG 2.4.2; "Page — coopgov").
* Every visible form control written out by hand has a ``<label for>`` (or an ``aria-label``).
* Every table has a caption; every POST form has a CSRF token.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "coopgov"
TEMPLATES = sorted(p for p in SRC.rglob("templates/**/*.html"))
IDS = [str(p.relative_to(SRC)) for p in TEMPLATES]

#: Templates that never reach a browser under the CSP, and why.
NOT_SERVED = {
    "apps/engagement/templates/engagement/report_print.html": "rendered to PDF by a local Chromium",
}


def strip_comments(text: str) -> str:
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", text, flags=re.S)
    return re.sub(r"{#.*?#}", "", text, flags=re.S)


@pytest.fixture(params=TEMPLATES, ids=IDS)
def template(request: pytest.FixtureRequest) -> tuple[Path, str]:
    return request.param, strip_comments(request.param.read_text(encoding="utf-8"))


def test_templates_were_found():
    assert any(p.name == "base.html" for p in TEMPLATES)
    assert len(TEMPLATES) > 20


def test_no_inline_script_or_style(template):
    path, text = template
    if str(path.relative_to(SRC)) in NOT_SERVED:
        pytest.skip(NOT_SERVED[str(path.relative_to(SRC))])
    problems = []
    for match in re.finditer(r"<script\b[^>]*>", text):
        if "src=" not in match.group():
            problems.append(f"inline script: {match.group()}")
    if re.search(r"<style\b", text):
        problems.append("<style> element")
    for match in re.finditer(r"\sstyle\s*=", text):
        problems.append("style attribute")
    for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
        problems.append(f"event handler attribute {match.group().strip()}")
    if "javascript:" in text:
        problems.append("javascript: URL")
    assert not problems, f"{path.relative_to(SRC)}: {problems} (the CSP forbids them)"


def test_pages_set_a_title(template):
    path, text = template
    if '{% extends "base.html" %}' not in text:
        pytest.skip("not a page")
    assert re.search(r"{%\s*block title\s*%}\s*\S", text), (
        f"{path.relative_to(SRC)} extends base.html but sets no {{% block title %}}"
    )


def test_hand_written_controls_are_labelled(template):
    path, text = template
    problems = []
    for match in re.finditer(r"<(input|select|textarea)\b([^>]*)>", text):
        attrs = match.group(2)
        kind = re.search(r'type="([^"]+)"', attrs)
        if kind and kind.group(1) in {"hidden", "submit", "button", "reset", "image"}:
            continue
        if "aria-label" in attrs or "aria-labelledby" in attrs:
            continue
        if match.group(1) == "input" and "{{ " in attrs and 'id="' not in attrs:
            continue  # rendered by a widget template
        control_id = re.search(r'id="([^"]+)"', attrs)
        if control_id is None:
            problems.append(f"<{match.group(1)}> without an id or aria-label")
        elif f'for="{control_id.group(1)}"' not in text:
            problems.append(f'<{match.group(1)} id="{control_id.group(1)}"> has no <label for>')
    assert not problems, f"{path.relative_to(SRC)}: {problems}"


def test_tables_have_captions(template):
    path, text = template
    tables = len(re.findall(r"<table\b", text))
    captions = len(re.findall(r"<caption\b", text))
    assert captions >= tables, f"{path.relative_to(SRC)}: {tables} table(s), {captions} caption(s)"


def test_post_forms_have_a_csrf_token(template):
    path, text = template
    for match in re.finditer(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I):
        assert "{% csrf_token %}" in match.group(1), f"{path.relative_to(SRC)}: POST form without csrf_token"
