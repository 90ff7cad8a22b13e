"""Ballots get random UUID ids (an auto-increment id reveals the order ballots were cast in, which
could be matched with the order codes were used); codes keep only the day they were used.  No
ballots exist yet anywhere this app is deployed, so the table is simply recreated."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("budgets", "0002_ballot_choices_text")]

    operations = [
        migrations.DeleteModel(name="Ballot"),
        migrations.CreateModel(
            name="Ballot",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("voter_key", models.CharField(max_length=64)),
                ("choices", models.TextField()),
                (
                    "process",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="ballots", to="budgets.process"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("process", "voter_key"), name="one_ballot_per_voter")],
            },
        ),
        migrations.RemoveField(model_name="votingcode", name="used_at"),
        migrations.AddField(
            model_name="votingcode",
            name="used_on",
            field=models.DateField(
                blank=True, null=True, help_text="Only the day: a time could be matched to a ballot"
            ),
        ),
    ]
