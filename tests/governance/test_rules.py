"""Composition-rule presets: each reports met and not-met cases correctly (pure Python)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coopgov.apps.governance import rules
from coopgov.apps.governance.rules import Composition, SeatGroup


def comp(*groups: tuple[str, str, int] | SeatGroup) -> Composition:
    out = []
    for g in groups:
        if isinstance(g, SeatGroup):
            out.append(g)
        else:
            cat, method, n = g
            out.append(SeatGroup(label=f"{cat} {method}", category=cat, method=method, seats=n))
    return Composition(tuple(out))


def verdicts(preset: str, c: Composition) -> list[bool]:
    return [ch.met for ch in rules.check_preset(preset, c)]


def test_core_does_not_import_django():
    code = "import sys, coopgov.apps.governance.rules; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


class TestRightToRun:
    def test_met(self):
        c = comp(("worker", "elected", 2), ("care-recipient", "elected", 1), ("community", "elected", 1))
        assert verdicts("right-to-run", c) == [True, True, True]

    def test_missing_care_recipients(self):
        c = comp(("worker", "elected", 2), ("community", "appointed", 1), ("independent", "co-opted", 2))
        checks = rules.check_preset("right-to-run", c)
        assert [ch.met for ch in checks] == [True, False, True]
        assert checks[1].reason == "People receiving care or their families: 0 seats, but at least 1 are needed."

    def test_empty_body(self):
        assert verdicts("right-to-run", comp()) == [False, False, False]


class TestFoundationTrust:
    def test_majority_met(self):
        c = comp(("public", "elected", 9), ("staff", "elected", 4), ("partner", "appointed", 4))
        assert verdicts("foundation-trust", c) == [True]

    def test_exactly_half_is_not_a_majority(self):
        c = comp(("public", "elected", 8), ("staff", "elected", 4), ("partner", "appointed", 4))
        [check] = rules.check_preset("foundation-trust", c)
        assert not check.met
        assert check.reason == "8 of 16 seats are elected public governors, but more than half is needed."

    def test_appointed_public_seats_do_not_count(self):
        c = comp(("public", "elected", 4), ("public", "appointed", 6), ("staff", "elected", 3))
        assert verdicts("foundation-trust", c) == [False]


class TestMaintainedSchool:
    def good(self) -> Composition:
        # 9 governors: 2 parents, head, 1 staff, 1 LA, 4 co-opted (community).
        return comp(
            ("parent", "elected", 2),
            ("head", "ex-officio", 1),
            ("staff", "elected", 1),
            ("local-authority", "appointed", 1),
            ("community", "co-opted", 4),
        )

    def test_met(self):
        assert verdicts("maintained-school", self.good()) == [True, True, True]

    def test_too_small(self):
        c = comp(
            ("parent", "elected", 2),
            ("head", "ex-officio", 1),
            ("staff", "elected", 1),
            ("local-authority", "appointed", 1),
            ("community", "co-opted", 1),
        )
        assert verdicts("maintained-school", c) == [False, True, True]

    def test_one_parent(self):
        c = comp(
            ("parent", "elected", 1),
            ("head", "ex-officio", 1),
            ("staff", "elected", 1),
            ("local-authority", "appointed", 1),
            ("community", "co-opted", 4),
        )
        assert verdicts("maintained-school", c) == [True, False, True]

    def test_staff_exactly_one_third_is_allowed(self):
        c = comp(
            ("parent", "elected", 2),
            ("head", "ex-officio", 1),
            ("staff", "elected", 2),
            ("local-authority", "appointed", 1),
            ("community", "co-opted", 3),
        )
        assert verdicts("maintained-school", c) == [True, True, True]  # 3 of 9

    def test_staff_over_one_third(self):
        c = comp(
            ("parent", "elected", 2),
            ("head", "ex-officio", 1),
            ("staff", "co-opted", 3),
            ("local-authority", "appointed", 1),
            ("community", "co-opted", 2),
        )
        checks = rules.check_preset("maintained-school", c)
        assert [ch.met for ch in checks] == [True, True, False]
        assert "4 of 9 seats" in checks[2].reason


class TestCooperativeSchool:
    def test_pta_third_met(self):
        c = comp(
            SeatGroup("PTA", "parent", "appointed", 3, appointed_by="pta"),
            ("staff", "elected", 2),
            ("head", "ex-officio", 1),
            ("community", "co-opted", 3),
        )
        assert verdicts("co-operative-school", c) == [True]

    def test_pta_under_a_third(self):
        c = comp(
            SeatGroup("PTA", "parent", "appointed", 2, appointed_by="pta"),
            ("staff", "elected", 2),
            ("head", "ex-officio", 1),
            ("community", "co-opted", 4),
        )
        [check] = rules.check_preset("co-operative-school", c)
        assert not check.met and "2 of 9" in check.reason

    def test_parents_elected_not_appointed_by_pta_do_not_count(self):
        c = comp(("parent", "elected", 4), ("staff", "elected", 2), ("head", "ex-officio", 1))
        assert verdicts("co-operative-school", c) == [False]


class TestStudentCouncil:
    def test_all_elected_by_pupils(self):
        c = comp(SeatGroup("Year reps", "pupil", "elected", 7, electorate="pupils"))
        assert verdicts("student-council", c) == [True]

    def test_appointed_member_breaks_it(self):
        c = comp(
            SeatGroup("Year reps", "pupil", "elected", 7, electorate="pupils"),
            SeatGroup("Head's pick", "pupil", "appointed", 1, appointed_by="head"),
        )
        [check] = rules.check_preset("student-council", c)
        assert not check.met and "Head's pick" in check.reason


def test_custom_rules_and_bad_parameters():
    c = comp(("worker", "elected", 3), ("community", "elected", 3))
    assert rules.custom_rule("min-seats", {"category": "worker", "n": 3})(c).met
    assert not rules.custom_rule("min-seats", {"category": "worker", "n": 4})(c).met
    assert rules.custom_rule("max-share", {"category": "worker", "numerator": 1, "denominator": 2})(c).met
    assert not rules.custom_rule("min-share", {"category": "worker", "numerator": 2, "denominator": 3})(c).met
    with pytest.raises(rules.RuleError, match="Unknown seat category") as ei:
        rules.custom_rule("min-seats", {"category": "wizards", "n": 1})
    assert ei.value.field == "category"
    with pytest.raises(rules.RuleError, match="non-zero denominator"):
        rules.custom_rule("max-share", {"category": "worker", "numerator": 1, "denominator": 0})
    with pytest.raises(rules.RuleError, match="Unknown preset"):
        rules.check_preset("nope", c)
