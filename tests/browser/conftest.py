"""Browser test harness: Playwright (Python, sync API) driving Debian's Chromium, checked with axe-core.

Fixtures
--------
``browser``     one headless Chromium for the whole session (``/usr/bin/chromium``; never downloaded).
``page``        a fresh page in a fresh context (own cookies).  The site's Content-Security-Policy stays
                enforced, and the page records console errors, uncaught exceptions, CSP violations
                and failed requests: :func:`page_problems` returns them.
``axe_check``   ``axe_check(page)`` runs axe-core on the page (its default rules plus WCAG 2.2's
                target-size, which axe ships switched off) and fails the test listing every
                serious or critical violation (rule id, impact, target, help).

axe-core is injected with ``context.add_init_script`` (a DevTools-level injection that the page's
CSP does not apply to) rather than ``add_script_tag`` + ``bypass_csp``: that way the tests also
prove the pages need no inline script or style.

Chromium comes from Debian (``apt-get install -y chromium``; ``.ci/run`` installs it when missing).
axe-core comes from npm (``npm install`` at the repository root, as the setup command does).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an asyncio loop running in this thread; Django's async-safety check
# would then refuse ORM calls made by the test itself (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("COOPGOV_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("COOPGOV_SCREENSHOTS", "/tmp/coopgov-screenshots"))

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Rules axe-core ships switched off that WCAG 2.2 AA needs: 2.5.8 Target Size (Minimum).
EXTRA_RULES = ("target-size",)

#: axe impacts that fail a test.
FAILING_IMPACTS = frozenset({"serious", "critical"})

_RECORD_CSP_VIOLATIONS = """
window.__coopgovCsp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__coopgovCsp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found: the browser tests drive Debian's Chromium, which .ci/run installs "
            "(apt-get install -y chromium chromium-driver)"
        )
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} not found: run `npm install` at the repository root")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


_PROBLEMS: dict[int, list[str]] = {}


def _record_failed_request(problems: list[str], request: Any) -> None:
    """Record a request that failed, but not one the browser itself cancelled.

    Chromium aborts requests still in flight (a favicon, say) when the page navigates away;
    Playwright reports those as failed with ``net::ERR_ABORTED``.  They say nothing about the
    page, and counting them made the browser tests flaky.
    """
    failure = request.failure or ""
    if "ERR_ABORTED" in failure:
        return
    problems.append(f"request failed: {request.url} ({failure})")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB")
    context.add_init_script(script=_RECORD_CSP_VIOLATIONS)
    context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    _PROBLEMS[id(page)] = problems
    page.on(
        "console",
        lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))
    page.on("requestfailed", lambda req: _record_failed_request(problems, req))
    try:
        yield page
    finally:
        _PROBLEMS.pop(id(page), None)
        context.close()


@pytest.fixture
def append_only_cleanup(transactional_db: None) -> Iterator[None]:
    """Let a transactional test's end-of-test flush empty the append-only tables on SQLite.

    The audit log and the membership log are append-only in the database: triggers refuse every
    DELETE (see the audit app's ``0002_append_only_triggers`` migration).  Django's flush after a
    transactional test deletes rows on SQLite (PostgreSQL truncates, which the row triggers do
    not see), so this fixture, torn down before the flush, empties those tables with the triggers
    briefly lifted and then puts the triggers back.
    """
    yield
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("coopgov.apps.audit.migrations.0002_append_only_triggers")
    with connection.schema_editor() as editor:
        triggers.backwards(None, editor)
        for table in triggers.TABLES:
            editor.execute(f"DELETE FROM {table}")
        triggers.forwards(None, editor)


def page_problems(page: Any) -> list[str]:
    """Console errors, uncaught exceptions, failed requests and CSP violations seen so far."""
    problems = list(_PROBLEMS.get(id(page), []))
    try:
        problems += [f"CSP violation: {v}" for v in page.evaluate("window.__coopgovCsp || []")]
    except Exception:  # the page may be mid-navigation
        pass
    return problems


@pytest.fixture(name="page_problems")
def page_problems_fixture() -> Callable[[Any], list[str]]:
    """``page_problems(page)``: console errors, exceptions, failed requests, CSP violations."""
    return page_problems


def format_violations(violations: list[dict[str, Any]], url: str) -> str:
    lines = [f"axe-core found {len(violations)} serious/critical violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def run_axe(page: Any) -> dict[str, Any]:
    """Run axe-core over the whole document; return its results object.

    It first waits for the page in hand to finish loading: a test that clicks a link and checks at
    once would otherwise run axe on a document being replaced (axe then fails reading a null
    ``document.documentElement``, a flake seen under load)."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        raise AssertionError(f"axe-core is not loaded in {page.url}")
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": True} for rule in EXTRA_RULES},
    }
    results: dict[str, Any] = page.evaluate("async (options) => await axe.run(document, options)", options)
    return results


def check_accessibility(page: Any) -> dict[str, Any]:
    results = run_axe(page)
    failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
    if failing:
        pytest.fail(format_violations(failing, page.url), pytrace=False)
    return results


@pytest.fixture
def axe_check() -> Callable[[Any], dict[str, Any]]:
    """``axe_check(page)``: fail the test on any serious or critical axe-core violation."""
    return check_accessibility


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, "name")``: save a full-page PNG under $COOPGOV_SCREENSHOTS (default /tmp)."""

    def take(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
