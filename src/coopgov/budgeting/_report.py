"""Outcome reports: text, JSON, CSV and a standalone accessible HTML page."""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ._explain import money, plural, voter_summaries
from ._model import Election, Outcome
from ._pabulib import _fmt

__all__ = ["Report", "render"]

FORMATS = ("text", "json", "csv", "html")


@dataclass(frozen=True, slots=True)
class Report:
    """What was run, on what, and its outcome."""

    election: Election
    outcome: Outcome
    source: str
    rule: str
    completion: str | None
    exact: bool
    voters: bool = False  # include per-voter summaries


def _jsonable(x: object) -> object:
    if isinstance(x, Fraction):
        return _fmt(x) if _terminates(x) else f"{x.numerator}/{x.denominator}"
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [_jsonable(v) for v in x]
    if isinstance(x, int | float | str | bool) or x is None:
        return x
    return str(x)


def _terminates(x: Fraction) -> bool:
    d = x.denominator
    for f in (2, 5):
        while d % f == 0:
            d //= f
    return d == 1


@dataclass(frozen=True, slots=True)
class Published:
    """Comparison with the projects the file flags as funded by the organiser."""

    organiser_rule: str | None
    same: bool
    only_here: list[str]
    only_published: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "organiser_rule": self.organiser_rule,
            "same": self.same,
            "only_here": self.only_here,
            "only_published": self.only_published,
        }


def _published(report: Report) -> Published | None:
    inst = report.election.instance
    published = inst.selected_by_organiser()
    if published is None:
        return None
    ours = report.outcome.selected_set()
    theirs = frozenset(published)

    def ids(s: frozenset[int]) -> list[str]:
        return sorted(inst.projects[i].id for i in s)

    return Published(inst.rule_used, ours == theirs, ids(ours - theirs), ids(theirs - ours))


def _title(report: Report) -> str:
    meta = report.election.instance.meta
    desc = meta.get("description") or meta.get("unit") or report.source
    inst = meta.get("instance")
    return f"{desc} ({inst})" if inst and inst not in desc else desc


def _rule_line(report: Report) -> str:
    comp = f", completion {report.completion}" if report.completion else ""
    arith = "exact rational arithmetic" if report.exact else "fast arithmetic"
    tb = report.outcome.details.get("tie_breaking", "lexico")
    return f"Rule: {report.rule}{comp} ({arith}; tie-breaking: {tb})"


def _summary(report: Report) -> str:
    e, o = report.election, report.outcome
    cur = e.instance.currency
    n = len(e.instance.projects)
    return (
        f"Budget {money(e.instance.budget, cur)}; {money(o.total_cost, cur)} spent on "
        f"{len(o.selected)} of {plural(n, 'project', 'projects')}; "
        f"{plural(e.profile.num_voters, 'voter', 'voters')}."
    )


def render(report: Report, fmt: str) -> str:
    if fmt == "text":
        return _text(report)
    if fmt == "json":
        return json.dumps(_as_dict(report), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "html":
        return _html(report)
    raise ValueError(f"unknown format {fmt!r}")


def _rows(report: Report) -> list[dict[str, object]]:
    e, o = report.election, report.outcome
    order = {p: i + 1 for i, p in enumerate(o.selected)}
    rows = []
    for i, p in enumerate(e.instance.projects):
        ex = o.explanations.get(i)
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "cost": p.cost,
                "funded": i in order,
                "selection_order": order.get(i),
                "explanation": ex.text if ex else "",
                "data": dict(ex.data) if ex else {},
            }
        )
    return rows


def _as_dict(report: Report) -> dict[str, object]:
    e, o = report.election, report.outcome
    pub = _published(report)
    out: dict[str, object] = {
        "source": report.source,
        "title": _title(report),
        "rule": report.rule,
        "completion": report.completion,
        "exact": report.exact,
        "budget": e.instance.budget,
        "currency": e.instance.currency,
        "voters": e.profile.num_voters,
        "total_cost": o.total_cost,
        "selected": [e.instance.projects[i].id for i in o.selected],
        "ties": list(o.ties),
        "projects": _rows(report),
        "details": {k: v for k, v in o.details.items() if k not in ("ranking", "scores")},
        "published": None if pub is None else pub.as_dict(),
    }
    if report.voters:
        out["voter_groups"] = [
            {
                "voters": list(v.voter_ids),
                "count": v.multiplicity,
                "supported": [e.instance.projects[p].id for p in v.supported],
                "funded": [e.instance.projects[p].id for p in v.funded],
                "paid": {e.instance.projects[p].id: a for p, a in v.paid},
                "text": v.text,
            }
            for v in voter_summaries(e, o)
        ]
    result = _jsonable(out)
    assert isinstance(result, dict)
    return result


def _text(report: Report) -> str:
    e, o = report.election, report.outcome
    cur = e.instance.currency
    projects = e.instance.projects
    lines = [_title(report), _rule_line(report), _summary(report), ""]
    lines.append("Funded, in order of selection:")
    for k, p in enumerate(o.selected, 1):
        pr = projects[p]
        lines.append(f"  {k:>3}. [{pr.id}] {pr.label} — {money(pr.cost, cur)}")
    if not o.selected:
        lines.append("  (none)")
    rejected = [i for i in range(len(projects)) if i not in o.selected_set()]
    lines.append("")
    lines.append("Not funded:")
    for p in rejected:
        pr = projects[p]
        lines.append(f"       [{pr.id}] {pr.label} — {money(pr.cost, cur)}")
    if not rejected:
        lines.append("  (none)")
    lines.append("")
    lines.append("Why:")
    for i, pr in enumerate(projects):
        ex = o.explanations.get(i)
        if ex:
            lines.append(f"  [{pr.id}] {pr.label}: {ex.text}")
    lines.append("")
    if o.ties:
        lines.append("Ties decided:")
        lines.extend(f"  - {t}" for t in o.ties)
    else:
        lines.append("No tie had to be broken.")
    pub = _published(report)
    if pub is not None:
        lines.append("")
        rule = pub.organiser_rule or "not named in the file"
        if pub.same:
            lines.append(f"Same projects as the published result (organiser's rule: {rule}).")
        else:
            lines.append(
                f"Differs from the published result (organiser's rule: {rule}): funded here "
                f"only: {', '.join(pub.only_here) or 'none'}; funded by the "
                f"organiser only: {', '.join(pub.only_published) or 'none'}."
            )
    if report.voters:
        lines.append("")
        lines.append("Voters:")
        for v in voter_summaries(e, o):
            who = ", ".join(v.voter_ids) if v.voter_ids else f"{v.multiplicity} voter(s)"
            lines.append(f"  {who}: {v.text}")
    return "\n".join(lines) + "\n"


def _csv(report: Report) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["project_id", "name", "cost", "funded", "selection_order", "explanation"])
    for r in _rows(report):
        order = r["selection_order"]
        w.writerow(
            [
                r["id"],
                r["name"],
                r["cost"],
                1 if r["funded"] else 0,
                "" if order is None else order,
                r["explanation"],
            ]
        )
    return buf.getvalue()


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:72rem;
padding:1rem;line-height:1.5;color:#1b1b1b;background:#fff}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:bold;padding:.5rem 0}
th,td{border:1px solid #767676;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.yes{color:#05603a;font-weight:bold}.no{color:#8a1c1c}
a:focus,button:focus{outline:3px solid #ffbf47}
"""


def _html(report: Report) -> str:
    e, o = report.election, report.outcome
    cur = e.instance.currency
    esc = html.escape
    lang = e.instance.meta.get("language", "en") or "en"
    title = _title(report)
    order = {p: k + 1 for k, p in enumerate(o.selected)}
    rows = []
    for i, pr in enumerate(e.instance.projects):
        ex = o.explanations.get(i)
        funded = i in order
        status = f'<span class="yes">Funded (#{order[i]})</span>' if funded else '<span class="no">Not funded</span>'
        rows.append(
            "<tr>"
            f'<th scope="row">{esc(pr.id)}</th>'
            f'<td lang="{esc(lang)}">{esc(pr.name)}</td>'
            f'<td class="num">{esc(money(pr.cost, cur))}</td>'
            f"<td>{status}</td>"
            f"<td>{esc(ex.text) if ex else ''}</td>"
            "</tr>"
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} — results</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<h1 lang="{esc(lang)}">{esc(title)}</h1>',
        f"<p>{esc(_rule_line(report))}</p>",
        f"<p>{esc(_summary(report))}</p>",
        "<table>",
        "<caption>Every project, whether it was funded, and why</caption>",
        "<thead><tr>"
        '<th scope="col">Project</th><th scope="col">Name</th><th scope="col">Cost</th>'
        '<th scope="col">Result</th><th scope="col">Why</th>'
        "</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "<h2>Ties</h2>",
    ]
    if o.ties:
        parts.append("<ul>" + "".join(f"<li>{esc(t)}</li>" for t in o.ties) + "</ul>")
    else:
        parts.append("<p>No tie had to be broken.</p>")
    pub = _published(report)
    if pub is not None:
        parts.append("<h2>Published result</h2>")
        rule = str(pub.organiser_rule or "not named in the file")
        if pub.same:
            parts.append(f"<p>Same projects as the organiser funded (rule: {esc(rule)}).</p>")
        else:
            parts.append(
                f"<p>Differs from what the organiser funded (rule: {esc(rule)}). Funded here "
                f"only: {esc(', '.join(pub.only_here) or 'none')}. Funded by the "
                f"organiser only: {esc(', '.join(pub.only_published) or 'none')}.</p>"
            )
    if report.voters:
        parts.append("<h2>What each voter helped to fund</h2>")
        parts.append("<table><caption>Voters (grouped by identical ballots)</caption>")
        parts.append('<thead><tr><th scope="col">Voters</th><th scope="col">Summary</th></tr></thead><tbody>')
        for v in voter_summaries(e, o):
            who = ", ".join(v.voter_ids) if v.voter_ids else f"{v.multiplicity} voter(s)"
            parts.append(f"<tr><td>{esc(who)}</td><td>{esc(v.text)}</td></tr>")
        parts.append("</tbody></table>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
