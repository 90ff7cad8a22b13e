"""Crawl the demo site as each kind of user and axe-check one page of every URL shape reached.

The journeys in the other tests follow a story; this one follows every link (GET only, no
downloads, no sign-out, no admin), so a page nobody wrote a journey for is still checked: no serious
or critical axe-core violation, no CSP violation or console error, no server error, a title in the
"Page — coopgov" form, and no sideways scrolling on a 375px screen.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest
from playwright.sync_api import expect

from .conftest import FAILING_IMPACTS, format_violations, page_problems, run_axe

pytestmark = pytest.mark.django_db(transaction=True)

SKIP = re.compile(r"(\.(csv|pdf|json|ods|png|svg|txt|pb|blt|html)$|\.(csv|pdf|json|ods|png|svg|txt|pb|blt)\b|/admin/|/api/|sign-out|logout|format=|export|download|/image$)", re.I)
MAX_PAGES = 60


@pytest.fixture
def demo(append_only_cleanup):
    from coopgov.apps.site.demo import DEMO_PASSWORD, load_demo

    load_demo(trust_members=400)
    return DEMO_PASSWORD


def shape(path: str) -> str:
    """One page per kind: every organisation's own page, but one of each page below it; ids and
    query values collapsed."""
    path = re.sub(r"/organisations/[^/]+/(?=[^?])", "/organisations/*/", path)
    path = re.sub(r"/[0-9a-f-]{8,}/|/\d+/", "/#/", path)
    return re.sub(r"=[^&]*", "=", path)


def crawl(page, base: str) -> list[str]:
    failures: list[str] = []
    seen: set[str] = set()
    queue = ["/"]
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = page.goto(base + path)
        visited += 1
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 500:
            failures.append(f"{path}: HTTP {response.status}")
            continue
        title = page.title()
        if not title.endswith(" — coopgov") or title.startswith(" — "):
            failures.append(f"{path}: title {title!r}")
        violations = [v for v in run_axe(page)["violations"] if v.get("impact") in FAILING_IMPACTS]
        if violations:
            failures.append(format_violations(violations, path))
        if page.evaluate("document.documentElement.scrollWidth") > 375:
            failures.append(f"{path}: scrolls sideways at 375px")
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc != urlparse(base).netloc:
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if not SKIP.search(target) and shape(target) not in seen:
                queue.append(target)
    failures += [f"{p}" for p in page_problems(page)]
    print(f"crawled {visited} pages:", *sorted(seen), sep="\n  ")
    assert visited > 10, f"only {visited} pages reached"
    return failures


@pytest.mark.parametrize("email", ["secretary@example.org", "member@example.org"])
def test_every_reachable_page(live_server, page, demo, email):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(demo)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("My memberships")
    failures = crawl(page, live_server.url)
    assert not failures, "\n".join(failures)
