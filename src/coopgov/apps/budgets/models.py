"""Participatory-budgeting processes and everything that hangs off them.

Money is held as whole units of currency (``PositiveBigIntegerField``): the budgeting engine works on
integer costs and exact budgets, and every pabulib file publishes whole units.

Ballot secrecy
--------------
A :class:`Ballot` row carries no user, membership or code id.  Its ``voter_key`` is an HMAC-SHA256
(keyed with ``SECRET_KEY``) of *who* voted: ``member:<process>:<membership id>`` for a member, or
``code:<process>:<code>`` for a code-holder.  The key lets the voter's own later submission find and
replace their ballot (one ballot per voter is a unique constraint on ``(process, voter_key)``), but
an officer looking at the register, the code list or the ballots table cannot tell whose ballot is
whose: linking needs ``SECRET_KEY`` *and* (for codes) the plaintext code, which is never stored.
:class:`VotingCode` stores only ``HMAC(SECRET_KEY, "vc:<process>:<code>")`` — a different message
from the ballot key, so a code row does not point at its ballot either (the link is one-way: code
→ ballot).  Ballots carry no timestamp, so submission time cannot be matched against web logs or
the day a code was used (``VotingCode.used_on`` keeps only the date).  Ballot ids are random UUIDs,
so the order ballots were cast in cannot be matched against the order codes were used either.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models


class Phase(models.TextChoices):
    DRAFT = "draft", "Draft"
    IDEAS = "ideas", "Collecting ideas"
    REVIEW = "review", "Reviewing ideas"
    VOTING = "voting", "Voting"
    CLOSED = "closed", "Voting closed"
    RESULTS = "results", "Results published"
    DELIVERY = "delivery", "Delivering projects"


PHASE_ORDER: tuple[str, ...] = tuple(p.value for p in Phase)


class RingFence(models.TextChoices):
    NONE = "none", "No ring-fencing"
    DISTRICT = "district", "By district"
    CATEGORY = "category", "By category"


class BallotType(models.TextChoices):
    APPROVAL = "approval", "Approval (tick the projects you support)"
    KNAPSACK = "knapsack", "Knapsack (choose projects that fit the budget)"
    POINTS = "points", "Points (share out points)"
    RANKED = "ranked", "Ranked (put projects in order)"


class Rule(models.TextChoices):
    MES = "mes", "Method of Equal Shares"
    GREEDY = "greedy", "Greedy (most votes first)"


class Process(models.Model):
    """A participatory-budgeting process run by an organisation (or a partnership, through its lead)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="pb_processes")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    partnership = models.CharField(
        max_length=200, blank=True, help_text="The partnership the process is run for, if any"
    )
    pot = models.PositiveBigIntegerField(help_text="The whole pot, in whole units of currency")
    currency = models.CharField(max_length=3, default="GBP")
    funding_source = models.CharField(max_length=200, blank=True, help_text='e.g. "share of the police precept"')
    ring_fence = models.CharField(max_length=10, choices=RingFence.choices, default=RingFence.NONE)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DRAFT)
    ideas_open = models.DateField(null=True, blank=True)
    review_open = models.DateField(null=True, blank=True)
    voting_open = models.DateField(null=True, blank=True)
    voting_close = models.DateField(null=True, blank=True)
    results_date = models.DateField(null=True, blank=True)
    delivery_end = models.DateField(null=True, blank=True)
    ballot_type = models.CharField(max_length=10, choices=BallotType.choices, default=BallotType.APPROVAL)
    min_choices = models.PositiveSmallIntegerField(default=1)
    max_choices = models.PositiveSmallIntegerField(null=True, blank=True)
    total_points = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Points ballots only")
    limit_to_budget = models.BooleanField(
        default=True, help_text="Refuse a ballot whose chosen projects cost more than the budget"
    )
    rule = models.CharField(max_length=10, choices=Rule.choices, default=Rule.MES)
    completion = models.CharField(max_length=20, default="add1", blank=True)
    rule_fixed_at = models.DateTimeField(null=True, blank=True)
    voter_classes = models.ManyToManyField("orgs.StakeholderClass", blank=True, related_name="+")
    proposer_classes = models.ManyToManyField("orgs.StakeholderClass", blank=True, related_name="+")
    code_postcode_districts = models.CharField(
        max_length=500, blank=True, help_text="Residents of these postcode districts vote with a code, e.g. EX1,EX2"
    )
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "processes"

    def __str__(self) -> str:
        return self.title

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    def postcode_district_list(self) -> list[str]:
        return [d.strip().upper() for d in self.code_postcode_districts.split(",") if d.strip()]


class Area(models.Model):
    """A ring-fenced district or category with its own share of the pot."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    budget = models.PositiveBigIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["process", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["process", "slug"], name="unique_pb_area_slug")]

    def __str__(self) -> str:
        return self.name


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for review"
    SHORTLISTED = "shortlisted", "On the ballot"
    REJECTED = "rejected", "Not feasible"
    MERGED = "merged", "Merged with another idea"


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    DELAYED = "delayed", "Delayed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Idea(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(max_length=200)
    description = models.TextField()
    location = models.CharField(max_length=200, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="ideas")
    category = models.CharField(max_length=80, blank=True)
    estimated_cost = models.PositiveBigIntegerField()
    image = models.FileField(
        upload_to="budgets/ideas/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    image_alt = models.CharField(max_length=200, blank=True, help_text="What the image shows")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="pb_ideas"
    )
    status = models.CharField(max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED)
    cost = models.PositiveBigIntegerField(null=True, blank=True, help_text="Cost after review")
    review_reason = models.TextField(blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    delivery_status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    spend = models.PositiveBigIntegerField(default=0)
    funded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["process", "id"]
        indexes = [models.Index(fields=["process", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def ballot_cost(self) -> int:
        return self.cost if self.cost is not None else self.estimated_cost


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["idea", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.idea_id}"


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_user")]

    def __str__(self) -> str:
        return f"Support for {self.idea_id}"


class VotingCode(models.Model):
    """A one-time voting code.  Only its HMAC is stored (indexed, unique); the plaintext is shown
    to the officer once, on the printable sheet or in the mail-merge CSV."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    serial = models.PositiveIntegerField()
    postcode_district = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_on = models.DateField(null=True, blank=True, help_text="Only the day: a time could be matched to a ballot")

    class Meta:
        ordering = ["process", "serial"]
        constraints = [models.UniqueConstraint(fields=["process", "serial"], name="unique_code_serial")]

    def __str__(self) -> str:
        return f"Code {self.serial}"


class Ballot(models.Model):
    """One voter's ballot (see the module docstring on secrecy).  ``choices`` is the text of
    :func:`coopgov.apps.budgets.tally.encode_choices`: idea ids ``"12,15,19"`` (approval/knapsack
    ascending, ranked in preference order) or ``"12:3,15:2"`` (points).  Plain text rather than JSON:
    counting 100,000 ballots groups identical texts before decoding any."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # random: no casting order
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64)
    choices = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["process", "voter_key"], name="one_ballot_per_voter")]

    def __str__(self) -> str:
        return f"Ballot {self.pk}"


class Result(models.Model):
    """The computed result: what the engine returned, kept as published (JSON) and the .pb files."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()
    pb_files = models.JSONField(help_text="area slug (or 'all') -> .pb text")

    def __str__(self) -> str:
        return f"Result of {self.process_id}"

    def area_data(self) -> list[dict[str, Any]]:
        areas: list[dict[str, Any]] = self.data.get("areas", [])
        return areas


class Milestone(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["idea", "due", "id"]

    def __str__(self) -> str:
        return self.title
