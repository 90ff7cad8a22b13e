"""Bulk import of a pabulib election into a process (projects become shortlisted ideas, votes become
ballots).  Used to run a real past vote through the platform (tests, benchmark, demonstrations).

Each imported voter gets a fresh random voter key: the voters of a pabulib file are not people on
this platform, and nobody can vote with these keys.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction

from coopgov.budgeting import Election

from .models import Ballot, BallotType, Idea, IdeaStatus, Phase, Process
from .tally import encode_choices

VOTE_TO_BALLOT = {"approval": BallotType.APPROVAL, "cumulative": BallotType.POINTS, "ordinal": BallotType.RANKED}


@transaction.atomic
def import_election(process: Process, election: Election, *, limit: int | None = None) -> dict[int, str]:
    """Add the election's projects as shortlisted ideas and its ballots (the first ``limit``
    voters) as ballots.  The process must be in the voting phase and have no ideas yet.  Returns
    idea id -> the file's project id."""
    if process.phase != Phase.VOTING:
        raise ValueError("import into a process that is in the voting phase")
    if process.ideas.exists():
        raise ValueError("import into a process with no ideas")
    projects = election.instance.projects
    ideas = Idea.objects.bulk_create(
        [
            Idea(
                process=process,
                title=(p.name or f"Project {p.id}")[:200],
                description=p.extra.get("description", "")[:2000] or (p.name or p.id),
                estimated_cost=p.cost,
                cost=p.cost,
                category=(p.categories[0] if p.categories else "")[:80],
                status=IdeaStatus.SHORTLISTED,
                review_reason="Imported from the published results",
            )
            for p in projects
        ]
    )
    if any(i.pk is None for i in ideas):  # backends that do not return ids from bulk_create
        ideas = list(process.ideas.order_by("id"))
    ids = [i.pk for i in ideas]
    rows: list[Ballot] = []
    left = limit if limit is not None else election.profile.num_voters
    for b in election.profile.ballots:
        if left <= 0:
            break
        choices: Any
        if b.points is not None:
            choices = [[ids[i], x] for i, x in zip(b.items, b.points, strict=True)]
        elif process.ballot_type == BallotType.RANKED:
            choices = [ids[i] for i in b.items]
        else:
            choices = sorted(ids[i] for i in b.items)
        n = min(b.multiplicity, left)
        left -= n
        text = encode_choices(process.ballot_type, choices)
        rows.extend(Ballot(process=process, voter_key=secrets.token_hex(32), choices=text) for _ in range(n))
    Ballot.objects.bulk_create(rows, batch_size=5000)
    return {pk: p.id for pk, p in zip(ids, projects, strict=True)}
