"""The declaration (result sheet) of a count as text, JSON, CSV or a standalone HTML page.

Every figure is printed from the exact values in the :class:`CountResult`, to the number of
decimal places the rule uses (``CountResult.decimals``; values are truncated, never rounded up,
so a printed total never exceeds the exact one).  JSON carries figures as decimal strings for
the same reason.
"""

from __future__ import annotations

from fractions import Fraction

from coopgov.counting._arith import fmt
from coopgov.counting._model import CountResult, Stage

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "render", "to_csv", "to_html", "to_json", "to_text"]

FORMATS = ("text", "json", "csv", "html")

_METHOD_NAMES = {
    "plurality": "First past the post (Model Election Rules 2014)",
    "scottish-stv": "STV, Scottish Local Government Elections Order 2007, Sch. 1 rules 45-52",
    "ers97": "STV, Electoral Reform Society rules 1997",
    "nhs-mer2014-stv": "STV, NHS foundation trust Model Election Rules 2014",
    "meek": "Meek STV, NZ Local Electoral Regulations 2001, Sch. 1A",
}


def render(result: CountResult, form: str) -> str:
    """``result`` in the named format (one of :data:`FORMATS`)."""
    if form == "text":
        return to_text(result)
    if form == "json":
        return to_json(result)
    if form == "csv":
        return to_csv(result)
    if form == "html":
        return to_html(result)
    raise ValueError(f"unknown report format {form!r}")


def _n(result: CountResult, v: Fraction) -> str:
    return fmt(v, result.decimals)


def _signed(result: CountResult, v: Fraction) -> str:
    if v == 0:
        return ""
    return ("+" if v > 0 else "-") + fmt(abs(v), result.decimals)


def _stage_label(result: CountResult, st: Stage) -> str:
    who = ", ".join(result.candidates[c] for c in st.subjects)
    return f"{st.action} ({who})" if who else st.action


def _header_lines(result: CountResult) -> list[str]:
    lines = [
        f"Election: {result.title}" if result.title else "Election",
        f"Method: {_METHOD_NAMES.get(result.method, result.method)}",
        f"Seats: {result.seats}",
        f"Valid votes: {result.valid_poll}",
        f"Invalid ballots: {result.invalid}",
    ]
    if result.quota:
        lines.append(f"Quota: {_n(result, result.quota)}")
    return lines


def to_text(result: CountResult) -> str:
    """A plain-text declaration: summary, stage table, ties and notes."""
    names = result.candidates
    out = _header_lines(result)
    out.append("")
    width = max([len(n) for n in names] + [len("Non-transferable"), 9])
    stages = result.stages
    cols = [(f"Stage {st.number}", [_n(result, v) for v in st.votes], st) for st in stages]
    colw = [max(len(h), *(len(x) for x in vals), len(_n(result, st.non_transferable)), 10) for h, vals, st in cols]
    out.append(" " * width + "  " + "  ".join(h.rjust(w) for (h, _, _), w in zip(cols, colw, strict=True)))
    for c, name in enumerate(names):
        cells = []
        for (_, vals, st), w in zip(cols, colw, strict=True):
            mark = "*" if c in st.elected else ("x" if c in st.excluded else " ")
            cells.append((vals[c] + mark).rjust(w + 1))
        out.append(name.ljust(width) + " " + " ".join(cells))
    out.append(
        "Non-transferable".ljust(width)
        + " "
        + " ".join((_n(result, st.non_transferable) + " ").rjust(w + 1) for st, w in zip(stages, colw, strict=True))
    )
    if any(st.loss for st in stages):
        out.append(
            "Rounding loss".ljust(width)
            + " "
            + " ".join((_n(result, st.loss) + " ").rjust(w + 1) for st, w in zip(stages, colw, strict=True))
        )
    out.append("(* elected at this stage, x excluded at this stage)")
    out.append("")
    out.append("Stages:")
    for k, st in enumerate(stages):
        line = f"  {st.number}. {_stage_label(result, st)}"
        moved = [f"{names[c]} {_signed(result, t)}" for c, t in enumerate(st.transfers) if t and st.number > 1]
        if k:
            nt = st.non_transferable - stages[k - 1].non_transferable
            lost = st.loss - stages[k - 1].loss
            if nt:
                moved.append(f"non-transferable {_signed(result, nt)}")
            if lost:
                moved.append(f"rounding loss {_signed(result, lost)}")
        if moved:
            line += ": " + ", ".join(moved)
        if st.elected:
            line += "; elected: " + ", ".join(names[c] for c in st.elected)
        if st.note:
            line += f" [{st.note}]"
        out.append(line)
    if result.ties:
        out.append("")
        out.append("Ties:")
        for t in result.ties:
            out.append(f"  stage {t.stage}, {t.decision}: {t.detail}")
    if result.notes:
        out.append("")
        out.append("Notes:")
        out.extend(f"  {n}" for n in result.notes)
    out.append("")
    out.append("Elected: " + "; ".join(names[c] for c in result.elected))
    return "\n".join(out) + "\n"


def to_dict(result: CountResult) -> dict[str, Any]:
    """A JSON-ready dictionary; figures are decimal strings."""
    names = result.candidates

    def num(v: Fraction) -> str:
        return _n(result, v)

    return {
        "method": result.method,
        "title": result.title,
        "candidates": list(names),
        "seats": result.seats,
        "valid_poll": result.valid_poll,
        "invalid": result.invalid,
        "quota": num(result.quota),
        "decimals": result.decimals,
        "elected": [names[c] for c in result.elected],
        "excluded": [names[c] for c in result.excluded],
        "stages": [
            {
                "number": st.number,
                "action": st.action,
                "subjects": [names[c] for c in st.subjects],
                "votes": {names[c]: num(v) for c, v in enumerate(st.votes)},
                "transfers": {names[c]: num(v) for c, v in enumerate(st.transfers)},
                "non_transferable": num(st.non_transferable),
                "loss": num(st.loss),
                "quota": num(st.quota),
                "elected": [names[c] for c in st.elected],
                "excluded": [names[c] for c in st.excluded],
                "note": st.note,
                **(
                    {"keep_factors": {names[c]: str(k) for c, k in enumerate(st.keep_factors)}}
                    if st.keep_factors is not None
                    else {}
                ),
            }
            for st in result.stages
        ],
        "ties": [
            {
                "stage": t.stage,
                "decision": t.decision,
                "tied": [names[c] for c in t.tied],
                "chosen": names[t.chosen],
                "how": t.how,
                "detail": t.detail,
            }
            for t in result.ties
        ],
        "notes": list(result.notes),
    }


def to_json(result: CountResult) -> str:
    import json

    return json.dumps(to_dict(result), indent=2, ensure_ascii=False) + "\n"


def to_csv(result: CountResult) -> str:
    """One row per stage and kind (``votes`` at the end of the stage, ``transfers`` in it)."""
    import csv
    import io

    names = result.candidates
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "stage",
            "action",
            "subjects",
            "kind",
            *names,
            "non-transferable",
            "loss",
            "quota",
            "elected",
            "excluded",
            "note",
        ]
    )
    for st in result.stages:
        common = [st.number, st.action, "; ".join(names[c] for c in st.subjects)]
        tail = [
            "; ".join(names[c] for c in st.elected),
            "; ".join(names[c] for c in st.excluded),
            st.note,
        ]
        w.writerow(
            [
                *common,
                "votes",
                *(_n(result, v) for v in st.votes),
                _n(result, st.non_transferable),
                _n(result, st.loss),
                _n(result, st.quota),
                *tail,
            ]
        )
        w.writerow([*common, "transfers", *(_n(result, v) for v in st.transfers), "", "", "", "", "", ""])
    return buf.getvalue()


def to_html(result: CountResult) -> str:
    """A standalone, accessible HTML page (no external assets)."""
    import html

    e = html.escape
    names = result.candidates
    title = result.title or "Election result"
    rows: list[str] = []
    head1 = ['<th scope="col" rowspan="2">Candidate</th>']
    head2: list[str] = []
    for st in result.stages:
        head1.append(
            f'<th scope="colgroup" colspan="2">Stage {st.number}<br><small>{e(_stage_label(result, st))}</small></th>'
        )
        head2.append('<th scope="col">Transfer</th><th scope="col">Total</th>')
    for c, name in enumerate(names):
        cells = [f'<th scope="row">{e(name)}</th>']
        for st in result.stages:
            status = ""
            if c in st.elected:
                status = ' class="elected" title="elected at this stage"'
            elif c in st.excluded:
                status = ' class="excluded" title="excluded at this stage"'
            tr = _signed(result, st.transfers[c]) if st.number > 1 else ""
            cells.append(f"<td>{e(tr)}</td><td{status}>{e(_n(result, st.votes[c]))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    nt = ['<th scope="row">Non-transferable</th>']
    loss = ['<th scope="row">Rounding loss</th>']
    for k, st in enumerate(result.stages):
        prev_nt = result.stages[k - 1].non_transferable if k else Fraction(0)
        prev_loss = result.stages[k - 1].loss if k else Fraction(0)
        nt.append(
            f"<td>{e(_signed(result, st.non_transferable - prev_nt))}</td><td>{e(_n(result, st.non_transferable))}</td>"
        )
        loss.append(f"<td>{e(_signed(result, st.loss - prev_loss))}</td><td>{e(_n(result, st.loss))}</td>")
    rows.append("<tr>" + "".join(nt) + "</tr>")
    if any(st.loss for st in result.stages):
        rows.append("<tr>" + "".join(loss) + "</tr>")
    summary = "".join(f"<li>{e(x)}</li>" for x in _header_lines(result)[1:])
    stage_notes = "".join(f"<li>Stage {st.number}: {e(st.note)}</li>" for st in result.stages if st.note)
    ties = "".join(f"<li>Stage {t.stage}, {e(t.decision)}: {e(t.detail)}</li>" for t in result.ties)
    notes = "".join(f"<li>{e(n)}</li>" for n in result.notes)
    elected = "".join(f"<li>{e(names[c])}</li>" for c in result.elected)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} — result</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; color: #111; background: #fff; }}
table {{ border-collapse: collapse; font-variant-numeric: tabular-nums; }}
caption {{ text-align: left; font-weight: bold; margin-bottom: .5rem; }}
th, td {{ border: 1px solid #777; padding: .25rem .5rem; }}
td {{ text-align: right; }}
th[scope=row] {{ text-align: left; white-space: nowrap; position: sticky; left: 0; background: #fff; }}
td {{ white-space: nowrap; }}
.elected {{ font-weight: bold; background: #e3f4e3; }}
.elected::after {{ content: " (elected)"; font-weight: normal; }}
.excluded {{ background: #f4e3e3; }}
.excluded::after {{ content: " (excluded)"; }}
.scroll {{ overflow-x: auto; }}
</style>
</head>
<body>
<main>
<h1>{e(title)}</h1>
<ul>{summary}</ul>
<h2>Elected</h2>
<ol>{elected}</ol>
<div class="scroll" role="region" aria-label="Stage-by-stage count" tabindex="0">
<table>
<caption>Stage-by-stage count: transfers and totals at the end of each stage</caption>
<thead><tr>{"".join(head1)}</tr><tr>{"".join(head2)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</div>
{f"<h2>Stages</h2><ul>{stage_notes}</ul>" if stage_notes else ""}
{f"<h2>Ties</h2><ul>{ties}</ul>" if ties else ""}
{f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""}
</main>
</body>
</html>
"""
