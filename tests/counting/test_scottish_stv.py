"""Hand-worked Scottish STV counts (SSI 2007/42 Sch. 1 rules 45-52), figured out on paper."""

from __future__ import annotations

from fractions import Fraction as F

from coopgov.counting import Profile, count
from coopgov.counting._ties import break_tie


def prof(names: str, seats: int, *groups: tuple[int, str], withdrawn: str = "") -> Profile:
    """``prof("ABC", 2, (5, "AB"), ...)``: candidates are single letters."""
    cands = list(names)
    rankings = [[cands.index(ch) for ch in r] for _, r in groups]
    return Profile.from_ballots(
        cands,
        seats,
        rankings,
        [w for w, _ in groups],
        withdrawn=[cands.index(ch) for ch in withdrawn],
    )


def votes(result: object, stage: int) -> dict[str, F]:
    st = result.stages[stage - 1]  # type: ignore[attr-defined]
    return {result.candidates[c]: v for c, v in enumerate(st.votes)}  # type: ignore[attr-defined]


def test_surplus_truncated_to_five_places_then_exclusion_then_rule_52() -> None:
    # valid 10, 2 seats: quota = floor(10/3) + 1 = 4 (rule 46)
    r = count(prof("ABC", 2, (5, "AB"), (2, "AC"), (1, "B"), (2, "C")), "scottish-stv", seed=0)
    assert r.quota == 4
    assert votes(r, 1) == {"A": 7, "B": 1, "C": 2}
    # A's surplus 3 over 7 papers of value 1: 3/7 = 0.428571... -> 0.42857 (remainder ignored)
    s2 = r.stages[1]
    assert s2.action == "surplus" and s2.subjects == (0,)
    assert votes(r, 2) == {"A": 4, "B": 1 + 5 * F("0.42857"), "C": 2 + 2 * F("0.42857")}
    assert s2.loss == 3 - 7 * F("0.42857") == F("0.00001")
    assert s2.non_transferable == 0
    # C (2.85714) is lowest and excluded; all of C's papers have no further preference
    s3 = r.stages[2]
    assert s3.action == "exclusion" and s3.excluded == (2,)
    assert s3.non_transferable == F("2.85714")
    # B is the only continuing candidate for the one vacancy left: deemed elected (rule 52)
    assert s3.elected == (1,)
    assert r.elected == (0, 1)
    assert len(r.stages) == 3
    for st in r.stages:
        assert sum(st.votes) + st.non_transferable + st.loss == 10


def test_transferred_papers_are_reexamined_at_their_own_value() -> None:
    # valid 15, 3 seats: quota = floor(15/4) + 1 = 4
    r = count(prof("ABCD", 3, (8, "ABC"), (2, "BD"), (3, "C"), (2, "D")), "scottish-stv", seed=0)
    assert r.quota == 4
    # A: surplus 4 of 8, value 1 -> 0.5 each: B gets 4
    assert votes(r, 2)["B"] == 6
    # B (6 votes) elected; surplus 2: B's own papers (value 1) -> 2*1/6 = 0.33333;
    # papers received from A (value 0.5) -> 2*0.5/6 = 0.16666 (rule 48(3)-(4))
    s3 = r.stages[2]
    assert s3.subjects == (1,)
    assert votes(r, 3)["D"] == 2 + 2 * F("0.33333")
    assert votes(r, 3)["C"] == 3 + 8 * F("0.16666")
    assert s3.loss == 2 - 2 * F("0.33333") - 8 * F("0.16666")
    assert "0.33333" in s3.note and "0.16666" in s3.note
    assert set(r.elected) == {0, 1, 2}


def test_exclusion_tie_broken_by_most_recent_preceding_stage() -> None:
    # valid 19, 2 seats: quota 7.  A's surplus 3 over 10 papers -> 0.3 each -> Y gets 3.
    r = count(prof("AXYZ", 2, (10, "AY"), (3, "X"), (6, "Z")), "scottish-stv", seed=0)
    assert votes(r, 2)["X"] == votes(r, 2)["Y"] == 3
    # X and Y tie for lowest; at stage 1 Y had 0 and X 3, so Y is excluded (rule 51(2)(a))
    assert r.stages[2].excluded == (2,)
    (tie,) = r.ties
    assert tie.decision == "exclusion" and tie.how == "preceding stage"
    assert tie.tied == (1, 2) and tie.chosen == 2 and "stage 1" in tie.detail


def test_exclusion_tie_equal_at_every_stage_is_drawn_by_lot() -> None:
    seen = set()
    for seed in range(20):
        r = count(prof("ABCD", 2, (6, "A"), (4, "B"), (1, "C"), (1, "D")), "scottish-stv", seed=seed)
        lots = [t for t in r.ties if t.decision == "exclusion"]
        assert lots and lots[0].how == "lot" and lots[0].tied == (2, 3)
        assert r.excluded[0] == lots[0].chosen
        seen.add(lots[0].chosen)
        # the same seed always draws the same lot
        again = count(prof("ABCD", 2, (6, "A"), (4, "B"), (1, "C"), (1, "D")), "scottish-stv", seed=seed)
        assert again == r
    assert seen == {2, 3}


def test_equal_surpluses_transferred_in_order_drawn_by_lot() -> None:
    # valid 14, 3 seats: quota 4; A and B both have 6 (surplus 2) at the only stage so far
    firsts = set()
    for seed in range(20):
        r = count(prof("ABCD", 3, (6, "AC"), (6, "BD"), (1, "C"), (1, "D")), "scottish-stv", seed=seed)
        tie = r.ties[0]
        assert tie.decision == "surplus order" and tie.how == "lot" and tie.tied == (0, 1)
        assert r.stages[1].subjects == (tie.chosen,)
        firsts.add(tie.chosen)
    assert firsts == {0, 1}


def test_break_tie_narrows_by_stages() -> None:
    names = ["A", "B", "C"]
    history = [[5, 5, 4], [6, 7, 6], [8, 8, 8]]
    import random

    # highest at the most recent preceding stage (stage 2): B
    c, t = break_tie(
        [0, 1, 2],
        history,
        stage=4,
        decision="surplus order",
        want="highest",
        order="most recent",
        rng=random.Random(0),
        names=names,
        rule="r",
    )
    assert c == 1 and t.how == "preceding stage"
    # lowest at stage 2: A and C (6); narrowed, then stage 1: C (4)
    c, t = break_tie(
        [0, 1, 2],
        history,
        stage=4,
        decision="exclusion",
        want="lowest",
        order="most recent",
        rng=random.Random(0),
        names=names,
        rule="r",
    )
    assert c == 2 and "stage 2, 1" in t.detail
    # earliest stage first (ERS97 style): lowest at stage 1 is C
    c, t = break_tie(
        [0, 1],
        history,
        stage=4,
        decision="exclusion",
        want="lowest",
        order="earliest",
        rng=random.Random(0),
        names=names,
        rule="r",
    )
    assert c == 0 and t.how == "earlier stage"


def test_all_papers_exhausted() -> None:
    # nobody reaches the quota (4); D then C excluded with no further preferences
    r = count(prof("ABCD", 2, (3, "A"), (3, "B"), (2, "C"), (1, "D")), "scottish-stv", seed=0)
    assert [s.action for s in r.stages] == ["first preferences", "exclusion", "exclusion"]
    assert r.excluded == (3, 2)
    assert r.stages[-1].non_transferable == 3
    assert set(r.elected) == {0, 1}
    assert "rule 52" in r.stages[-1].note
    assert votes(r, 3) == {"A": 3, "B": 3, "C": 0, "D": 0}


def test_withdrawn_candidate_is_skipped() -> None:
    p = prof("ABC", 1, (4, "BA"), (3, "A"), (2, "C"), withdrawn="B")
    assert p.rankings == ((0,), (2,)) and p.weights == (7, 2)
    r = count(p, "scottish-stv", seed=0)
    assert r.elected == (0,)
    assert r.stages[0].votes == (7, 0, 2)


def test_grouped_and_ungrouped_give_identical_results() -> None:
    p = prof("ABCDE", 2, (7, "ABC"), (3, "BCA"), (4, "CD"), (2, "DE"), (5, "EAD"), (1, "E"))
    assert count(p, "scottish-stv", seed=3) == count(p.ungrouped(), "scottish-stv", seed=3)


def test_equal_surpluses_ordered_by_most_recent_preceding_stage() -> None:
    # valid 35, 4 seats: quota = floor(35/5) + 1 = 8.  X's surplus 8 over 16 papers: 0.5 each.
    p = prof("XABCD", 4, (10, "XAC"), (6, "XBD"), (4, "AD"), (6, "BC"), (5, "C"), (4, "D"))
    r = count(p, "scottish-stv", seed=0)
    assert votes(r, 1) == {"X": 16, "A": 4, "B": 6, "C": 5, "D": 4}
    # stage 2: A = 4 + 10 x 0.5 = 9 and B = 6 + 6 x 0.5 = 9, both over the quota with surplus 1
    assert votes(r, 2)["A"] == votes(r, 2)["B"] == 9
    assert set(r.stages[1].elected) == {1, 2}
    # rule 49(2): B had more votes at stage 1, so B's surplus is transferred first
    (tie,) = r.ties
    assert tie.decision == "surplus order" and tie.how == "preceding stage"
    assert tie.tied == (1, 2) and tie.chosen == 2 and "stage 1" in tie.detail
    assert r.stages[2].subjects == (2,) and r.stages[3].subjects == (1,)
    # B's own papers (value 1) go at 1/9 -> 0.11111, those from X (value 0.5) at 0.05555
    assert votes(r, 3)["C"] == 5 + 6 * F("0.11111")
    assert votes(r, 3)["D"] == 4 + 6 * F("0.05555")


def test_profiles_built_in_code_with_too_few_candidates_or_no_ballots() -> None:
    # no ballots at all: nobody reaches the quota; exclusions by lot until rule 52 applies
    r = count(Profile("t", ("a", "b", "c"), 1), "scottish-stv", seed=1)
    assert len(r.elected) == 1 and all(t.how == "lot" for t in r.ties) and len(r.ties) == 2
    # fewer candidates standing than seats: every standing candidate is elected, no crash
    for method in ("scottish-stv", "plurality"):
        p = Profile.from_ballots(["a", "b", "c"], 2, [[0]], withdrawn=[1, 2])
        assert count(p, method, seed=0).elected == (0,)
