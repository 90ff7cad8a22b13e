"""Elections, nominations, the frozen electorate, and ballots stored for secrecy.

Ballot secrecy is a property of the schema, not of the code:

* :class:`Ballot` holds the election, the preferences, a random receipt code and (for paper
  ballots) the batch they were entered in.  It has a random UUID primary key, no timestamp and
  no reference to any voter, membership, token or user.
* :class:`VoterMark` records *that* a member voted, with a unique constraint on
  (election, membership): the database itself refuses a second vote.  It has a random UUID key
  and no timestamp either, so nothing orders marks and ballots against each other.
* Both rows are written in one transaction (:func:`coopgov.apps.elections.services.do_cast_vote`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Method(models.TextChoices):
    SCOTTISH_STV = "scottish-stv", "Single transferable vote (Scottish STV rules)"
    ERS97 = "ers97", "Single transferable vote (ERS 1997 rules)"
    MEEK = "meek", "Single transferable vote (Meek)"
    NHS_STV = "nhs-mer2014-stv", "Single transferable vote (NHS Model Election Rules 2014)"
    PLURALITY = "plurality", "First past the post"


class Election(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="elections")
    body = models.ForeignKey(
        "governance.GoverningBody", null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    seat_rule = models.ForeignKey(
        "governance.SeatRule", null=True, blank=True, on_delete=models.PROTECT, related_name="elections"
    )
    title = models.CharField(max_length=200)
    method = models.CharField(max_length=30, choices=Method.choices, default=Method.SCOTTISH_STV)
    seats = models.PositiveSmallIntegerField(default=1)
    stakeholder_class = models.ForeignKey("orgs.StakeholderClass", on_delete=models.PROTECT, related_name="+")
    constituency = models.ForeignKey(
        "orgs.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_by_election = models.BooleanField(default=False)
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True, help_text="For a by-election: the end of the vacated term")

    # Timetable (the platform refuses each action outside its window).
    cutoff_date = models.DateField(help_text="Members eligible on this date form the electorate")
    notice_at = models.DateTimeField()
    nominations_open = models.DateTimeField()
    nominations_close = models.DateTimeField()
    withdrawal_deadline = models.DateTimeField()
    poll_open = models.DateTimeField()
    poll_close = models.DateTimeField()

    # The frozen electorate's published fingerprint.
    electorate_count = models.PositiveIntegerField(null=True, blank=True)
    electorate_hash = models.CharField(max_length=64, blank=True)
    electorate_frozen = models.BooleanField(default=False)

    poll_closed = models.BooleanField(default=False)
    counted = models.BooleanField(default=False)
    declared_on = models.DateField(null=True, blank=True)
    uncontested = models.BooleanField(default=False)
    seed = models.PositiveIntegerField(default=0, help_text="Seed for any lot drawn in the count (published)")
    result = models.JSONField(null=True, blank=True)
    result_text = models.TextField(blank=True)
    result_csv = models.TextField(blank=True)
    blt = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-poll_open"]

    def __str__(self) -> str:
        return self.title

    @property
    def ranked(self) -> bool:
        return self.method != Method.PLURALITY


class Nomination(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="nominations")
    membership = models.ForeignKey("membership.Membership", on_delete=models.PROTECT, related_name="nominations")
    nominated_by = models.ForeignKey(
        "membership.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statement = models.TextField(blank=True, help_text="At most 250 words")
    interests = models.TextField(blank=True, help_text="Declaration of interests")
    consented = models.BooleanField(default=False)
    withdrawn = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "membership__person__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "membership"], name="one_nomination_per_member")]

    def __str__(self) -> str:
        return f"{self.membership.person.full_name} for {self.election}"

    @property
    def valid(self) -> bool:
        return self.consented and not self.withdrawn


class ElectorateEntry(models.Model):
    """One member of the frozen electorate (as at the cut-off date)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="electorate")
    membership = models.ForeignKey("membership.Membership", on_delete=models.PROTECT, related_name="+")
    constituency = models.ForeignKey(
        "orgs.Constituency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "membership"], name="one_entry_per_member")]

    def __str__(self) -> str:
        return f"entry {self.pk}"


class VoterMark(models.Model):
    """That a member voted (nothing else: no time, no order, no link to the ballot)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="marks")
    membership = models.ForeignKey("membership.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "membership"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return "voter mark"


class PaperBatch(models.Model):
    """A batch of paper (e.g. postal) ballots entered by a returning officer, with its subtotal."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="paper_batches")
    label = models.CharField(max_length=120)
    declared_count = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "entered_at"]

    def __str__(self) -> str:
        return self.label


class Ballot(models.Model):
    """A cast ballot: preferences and a receipt code; NO voter reference and NO timestamp."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="ballots")
    preferences = models.CharField(
        max_length=1000, blank=True, help_text="Nomination ids in preference order, space-separated"
    )
    # NULL for paper ballots (no receipt); unique per election otherwise, so NULL rather than "".
    receipt = models.CharField(max_length=20, null=True, blank=True)  # noqa: DJ001
    batch = models.ForeignKey(PaperBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "receipt"], name="unique_receipt")]

    def __str__(self) -> str:
        return "ballot"
