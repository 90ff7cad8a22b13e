"""'coopgov allocate': outputs in every format, and every user mistake as one line + exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from budgeting_helpers import BUDGETS, load

from coopgov.budgeting.cli import main

ASSEN = str(BUDGETS / "Netherlands_Assen_2024.pb")
WARSZAWA_2017 = str(BUDGETS / "Poland_Warszawa_2017_Aleksandrow.pb")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report_greedy(budgets, capsys):
    code, out, err = run(capsys, WARSZAWA_2017, "--rule", "greedy")
    assert code == 0 and err == ""
    assert "Rule: greedy (fast arithmetic; tie-breaking: lexico)" in out
    assert "Budget 110,411 PLN; 110,000 PLN spent on 2 of 5 projects; 422 voters." in out
    assert "Same projects as the published result (organiser's rule: greedy)." in out
    assert "It ranked 2nd with 140 votes" in out


def test_city_rule_follows_meta(budgets, capsys):
    code, out, _ = run(capsys, str(BUDGETS / "Poland_Lodz_2022.pb"), "--rule", "city")
    assert code == 0
    assert "Same projects as the published result (organiser's rule: greedy-threshold)" in out
    assert "below the minimum of 100 votes" in out


def test_json_csv_html_pb_outputs(budgets, capsys, tmp_path):
    code, out, _ = run(capsys, WARSZAWA_2017, "--format", "json", "--voters")
    assert code == 0
    data = json.loads(out)
    assert data["selected"] == ["261", "720"]
    assert data["published"]["same"] is True
    assert len(data["projects"]) == 5
    assert {p["id"] for p in data["projects"] if p["funded"]} == {"261", "720"}
    assert all(p["explanation"] for p in data["projects"])
    assert sum(g["count"] for g in data["voter_groups"]) == 422
    assert any("were funded" in g["text"] or "was funded" in g["text"] for g in data["voter_groups"])

    code, out, _ = run(capsys, WARSZAWA_2017, "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "project_id,name,cost,funded,selection_order,explanation"
    assert len(lines) == 6

    target = tmp_path / "report.html"
    code, out, _ = run(capsys, WARSZAWA_2017, "--format", "html", "-o", str(target))
    assert code == 0 and out == ""
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page and "<caption>" in page and 'scope="col"' in page
    assert "<main>" in page and "<h1" in page

    pb = tmp_path / "out.pb"
    code, _, _ = run(capsys, ASSEN, "--rule", "greedy", "--format", "pb", "-o", str(pb))
    assert code == 0
    from coopgov.budgeting import read_pabulib

    again = read_pabulib(pb)
    funded = {p.id for p in again.instance.projects if p.selected}
    from coopgov.budgeting import allocate

    e = load("Netherlands_Assen_2024.pb")
    assert funded == {e.instance.projects[i].id for i in allocate(e, "greedy").selected}


def test_csv_and_json_inputs(budgets, capsys, tmp_path):
    from coopgov.budgeting import write_election

    e = load("Poland_Warszawa_2017_Aleksandrow.pb")
    for suffix in (".csv", ".json"):
        path = tmp_path / f"in{suffix}"
        write_election(e, path)
        code, out, err = run(capsys, str(path), "--format", "json")
        assert code == 0, err
        assert json.loads(out)["selected"] == ["261", "720"]


def test_progress_goes_to_stderr(budgets, capsys):
    code, out, err = run(capsys, ASSEN, "--progress")
    assert code == 0
    assert "reading VOTES" in err and "computing greedy" in err
    assert "reading" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope.pb"], "nope.pb: cannot read file"),
        (["x.txt"], "x.txt: unknown file type"),
        ([ASSEN, "--rule", "dictator"], "unknown rule 'dictator'"),
        ([ASSEN, "--format", "xml"], "invalid choice: 'xml'"),
        ([ASSEN, "--rule", "greedy", "--threshold", "lots"], "not a number or a percentage"),
        ([ASSEN, "--rule", "greedy", "--completion", "add1"], "has no completion 'add1'"),
        ([ASSEN, "--sub-budget", "Green"], "expected LABEL=AMOUNT"),
        ([ASSEN, "--sub-budget", "Green=5", "--ring-fence", "category"], "no project has category"),
        ([str(BUDGETS / "Hungary_Budapest_2024.pb"), "--rule", "city"], "META rule 'unknown'"),
        ([], "the following arguments are required: file"),
    ],
)
def test_user_mistakes_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("coopgov allocate: ")
    assert message in err


BAD_FILES = {
    "missing section": ("META\nkey;value\nbudget;10\nvote_type;approval\n", 4, "missing PROJECTS"),
    "unknown project": (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;5\nVOTES\nvoter_id;vote\n1;a\n2;b\n",
        11,
        "unknown project 'b'",
    ),
    "negative cost": (
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\na;-5\nVOTES\nvoter_id;vote\n1;a\n",
        7,
        "negative cost",
    ),
    "over max length": (
        "META\nkey;value\nbudget;10\nvote_type;approval\nmax_length;1\nPROJECTS\n"
        "project_id;cost\na;5\nb;5\nVOTES\nvoter_id;vote\n1;a,b\n",
        12,
        "more than the maximum of 1",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_through_the_real_command(tmp_path, case):
    """Run the installed entry point in a subprocess: one line, exit 2, no traceback."""
    text, line, words = BAD_FILES[case]
    path = tmp_path / "bad.pb"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "coopgov", "allocate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr == f"coopgov allocate: {path}:{line}: {proc.stderr.split(': ', 2)[2]}"
    assert words in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_importing_budgeting_does_not_load_django():
    code = (
        "import sys, coopgov.budgeting, coopgov.budgeting.greedy, coopgov.budgeting.cli; print('django' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert proc.stdout.strip() == "False"


def test_equal_shares_with_add1_through_the_command(budgets, capsys):
    from coopgov.budgeting import rules

    if "mes" not in rules():
        pytest.skip("Method of Equal Shares not registered")
    code, out, err = run(
        capsys, ASSEN, "--rule", "mes", "--completion", "add1", "--exact", "--format", "json",
        "--voters",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["published"]["same"] is True  # Assen used equalshares/add1
    assert data["exact"] is True and data["completion"] == "add1"
    paid = [g for g in data["voter_groups"] if g["paid"]]
    assert paid and all("Your share of the budget paid" in g["text"] for g in paid)
