"""The import action: core importers + classification written all-or-nothing, with reports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coopgov import ownership as own
from coopgov.apps.audit.models import AuditEvent
from coopgov.apps.jobs.models import JobStatus
from coopgov.apps.jobs.runner import enqueue, run_job
from coopgov.apps.providers import services
from coopgov.apps.providers.models import Location, Provider, ProviderImport
from coopgov.apps.providers.services import do_import_cqc_register, do_override_provider_model, postcode_area

pytestmark = pytest.mark.django_db


def core_classes(paths: list[Path], pe: dict[str, str]) -> dict[str, own.Classification]:
    locs = own.merge_locations(own.read_cqc_directory(paths[0]))
    registers = own.Registers.build(
        companies=own.read_companies_house(paths[1]),
        societies=own.read_fca_mutuals(paths[2]),
        charities=own.read_charity_commission(paths[3]),
        employee_owned=own.read_employee_owned(paths[4]),
        private_equity=pe,
    )
    return own.classify_providers(own.providers_from_locations(locs), registers)


def test_import_writes_every_location_and_the_core_classification(imported, demo_files):
    paths, pe = demo_files
    expected = core_classes(paths, pe)
    assert imported.providers == len(expected) == Provider.objects.count()
    assert imported.locations == Location.objects.count() > 250
    for p in Provider.objects.all():
        c = expected[p.cqc_provider_id]
        assert (p.automatic_model, p.automatic_rule, p.model) == (c.model.value, c.rule, c.model.value)
        assert p.classification == services._public_record(c.to_dict())
        assert all("/" not in e["record"] for e in p.classification["evidence"])  # no server paths published
        assert [e["value"] for e in p.classification["evidence"]] == [e.value for e in c.evidence]
        assert p.chain == ("chain" in c.flags) and p.private_equity == ("private_equity" in c.flags)
    models = {p.automatic_model for p in Provider.objects.all()}
    assert models >= {
        "for_profit",
        "not_for_profit",
        "cooperative",
        "multi_stakeholder_coop",
        "employee_owned",
        "local_authority",
        "nhs",
    }
    assert Provider.objects.filter(private_equity=True).count() == 2
    assert Provider.objects.filter(needs_review=True).exists()  # the charity with share capital at CH
    coop = Provider.objects.filter(automatic_model="cooperative").first()
    assert coop is not None and coop.fca_number.endswith("R") and coop.companies_house_number == ""
    rec = ProviderImport.objects.get()
    assert [f["kind"] for f in rec.files] == [
        "cqc-directory",
        "companies-house",
        "fca-mutuals",
        "charity-commission",
        "employee-owned",
    ]
    assert rec.problems == [] and rec.locations == imported.locations
    assert AuditEvent.objects.filter(action="providers.import").count() == 1
    loc = Location.objects.exclude(postcode="").first()
    assert loc is not None and loc.postcode_area == postcode_area(loc.postcode) != ""


def test_postcode_area():
    assert postcode_area("EX1 2QE") == "EX"
    assert postcode_area("b15 2tt") == "B"
    assert postcode_area("") == postcode_area("n/a") == ""


def test_a_failure_while_writing_leaves_the_previous_register(imported, demo_files, monkeypatch):
    before = sorted(Location.objects.values_list("cqc_location_id", "rating_overall"))
    providers_before = sorted(Provider.objects.values_list("cqc_provider_id", "name", "model"))
    imports_before = ProviderImport.objects.count()

    real_insert = services._insert_locations

    def boom(*args, **kwargs):
        real_insert(*args, **kwargs)  # every row written, then the disk fills
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_insert_locations", boom)
    paths, _ = demo_files
    # a different register: only the directory, so every provider would be reclassified
    with pytest.raises(RuntimeError):
        do_import_cqc_register(actor=None, paths=paths[:1])
    assert sorted(Location.objects.values_list("cqc_location_id", "rating_overall")) == before
    assert sorted(Provider.objects.values_list("cqc_provider_id", "name", "model")) == providers_before
    assert ProviderImport.objects.count() == imports_before


def test_bad_rows_are_reported_not_fatal(tmp_path):
    d = tmp_path / "dir.csv"
    d.write_text(
        "Location ID,Location Name,Provider ID,Provider Name,Location Latest Overall Rating,Care homes beds\n"
        "1-1000101,Good Home,1-900,Acme Care Ltd,Good,20\n"
        "not-an-id,Bad Home,1-900,Acme Care Ltd,Good,20\n"
        "1-1000102,Odd Home,1-900,Acme Care Ltd,Brilliant,20\n"
        "1-1000103,Beds Home,1-900,Acme Care Ltd,Good,lots\n"
        "1-1000104,Short row\n",
        encoding="utf-8",
    )
    out = do_import_cqc_register(actor=None, paths=[d])
    assert out.locations == 1 and Location.objects.get().name == "Good Home"
    problems = out.record.problems
    assert len(problems) == 4
    assert problems[0].startswith("dir.csv:3:") and "not a CQC location ID" in problems[0]
    assert "not a CQC rating: 'Brilliant'" in problems[1]
    assert "'lots' is not a number" in problems[2]
    assert "columns misaligned" in problems[3]
    assert out.record.files[0]["problems"] == 4


def test_a_bad_file_stops_the_import_with_one_line_and_writes_nothing(tmp_path, shared_data):
    with pytest.raises(own.OwnershipInputError, match=r"missing\.csv: no such file"):
        do_import_cqc_register(actor=None, paths=[tmp_path / "missing.csv"])
    research = shared_data / "care" / "bach_mortensen_2024_involuntary_closures_by_year.csv"
    with pytest.raises(own.OwnershipInputError, match="research file"):
        do_import_cqc_register(actor=None, paths=[research])
    companies = tmp_path / "ch.csv"
    companies.write_text(
        "CompanyName,CompanyNumber,CompanyCategory,CompanyStatus\nA,1,Private Limited Company,Active\n"
    )
    with pytest.raises(own.OwnershipInputError, match="none of the files holds CQC locations"):
        do_import_cqc_register(actor=None, paths=[companies])
    nonsense = tmp_path / "x.csv"
    nonsense.write_text("a,b\n1,2\n")
    with pytest.raises(own.OwnershipInputError, match=r"x\.csv"):
        do_import_cqc_register(actor=None, paths=[nonsense])
    assert not ProviderImport.objects.exists() and not Provider.objects.exists()


def test_overrides_survive_a_reimport_and_dropped_providers_are_kept(imported, demo_files, regulator):
    paths, pe = demo_files
    p = Provider.objects.filter(automatic_model="for_profit").order_by("id").first()
    assert p is not None
    do_override_provider_model(actor=regulator, provider=p, model="employee_owned", reason="EOT since 2024")
    # re-import from a directory without this provider's locations
    lines = paths[0].read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if f",{p.cqc_provider_id}," not in ln]
    assert len(kept) < len(lines)
    paths[0].write_text("".join(kept), encoding="utf-8")
    do_import_cqc_register(actor=None, paths=paths, private_equity=pe)
    p.refresh_from_db()
    assert not p.current and p.model == "employee_owned" and p.override_reason == "EOT since 2024"
    assert not p.locations.exists()
    # and back again: still overridden, automatic classification refreshed
    paths[0].write_text("".join(lines), encoding="utf-8")
    do_import_cqc_register(actor=None, paths=paths, private_equity=pe)
    p.refresh_from_db()
    assert p.current and p.model == "employee_owned" and p.automatic_model == "for_profit"
    assert p.locations.exists()


def test_real_cqc_files_import_with_a_report(shared_data):
    care = shared_data / "care"
    out = io.StringIO()
    err = io.StringIO()
    call_command("import_providers", str(care), "--skip-research", stdout=out, stderr=err)
    text = err.getvalue()
    assert (
        "cqc_directory_output_head.csv (cqc-directory): 500 rows read, 330 records, 170 rows could not be read" in text
    )
    assert "columns misaligned" in text
    assert "cqc_api_locations_devon_carehomes_2021.csv (cqc-api): 728 rows read" in text
    assert "imported" in out.getvalue()
    rec = ProviderImport.objects.get()
    assert rec.locations == Location.objects.count() > 1500
    assert len(rec.problems) == 170
    # Devon's API records give ratings and postcodes
    devon = Location.objects.get(cqc_location_id="1-1000587219")
    assert devon.postcode == "EX1 2QE" and devon.postcode_area == "EX" and devon.beds == 28
    nhs = Provider.objects.filter(automatic_rule="NHS_BODY")
    assert nhs.exists() and all(p.model == "nhs" for p in nhs)
    assert Provider.objects.filter(automatic_rule="LOCAL_AUTHORITY").count() >= 10


def test_management_command_errors_are_one_line(shared_data, tmp_path):
    with pytest.raises(CommandError, match=r"research file"):
        call_command("import_providers", str(shared_data / "care"))
    with pytest.raises(CommandError, match=r"no CSV, ODS, JSON or TXT files"):
        call_command("import_providers", str(tmp_path))


def test_background_job_imports(demo_files, settings):
    settings.JOBS_IN_THREAD = False
    paths, _ = demo_files
    job = enqueue("providers.import", {"paths": [str(p) for p in paths]})
    job = run_job(job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert job.result["locations"] == Location.objects.count() > 250
    bad = enqueue("providers.import", {"paths": [str(paths[0].parent / "nope.csv")]})
    bad = run_job(bad.pk)
    assert bad.status == JobStatus.FAILED and "nope.csv: no such file" in bad.error


def test_command_can_queue_a_background_job(demo_files, settings):
    settings.JOBS_IN_THREAD = False
    paths, _ = demo_files
    out = io.StringIO()
    call_command("import_providers", *map(str, paths), "--background", stdout=out)
    assert "queued import job" in out.getvalue()
    assert not Location.objects.exists()


def test_can_override():
    class Anon:
        is_authenticated = False

    assert not services.can_override(None) and not services.can_override(Anon())


def test_regulator_uploads_files_and_the_job_imports_them(
    client, demo_files, regulator, commissioner, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.JOBS_IN_THREAD = False
    settings.MEDIA_ROOT = tmp_path / "media"
    url = reverse("providers:import")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(commissioner)
    assert client.get(url).status_code == 403  # commissioners read the register; regulators replace it
    client.force_login(regulator)
    assert client.get(url).status_code == 200
    r = client.post(url, {})
    assert r.status_code == 200 and r.context["form"].errors["directory"]
    paths, _ = demo_files
    names = ["directory", "companies", "mutuals", "charities", "employee_owned"]
    files = {n: SimpleUploadedFile(p.name, p.read_bytes()) for n, p in zip(names, paths, strict=True)}
    r = client.post(url, files)
    assert r.status_code == 302
    from coopgov.apps.jobs.models import Job

    job = Job.objects.get(kind="providers.import")
    assert client.get(r["Location"]).content.decode().count("Importing the register") == 1
    run_job(job.pk)
    page = client.get(r["Location"]).content.decode()
    rec = ProviderImport.objects.get()
    assert f"Imported {rec.locations} locations" in page and rec.created_by == regulator
    detail = client.get(reverse("providers:import-detail", args=[rec.pk])).content.decode()
    assert "demo_cqc_directory.csv" in detail and "Every row was read" in detail
    assert str(tmp_path) not in detail
    # a bad file: the job fails with one line and nothing changes
    r = client.post(url, {"directory": SimpleUploadedFile("notes.csv", b"a,b\n1,2\n")})
    bad = Job.objects.exclude(pk=job.pk).get()
    run_job(bad.pk)
    page = client.get(r["Location"]).content.decode()
    assert "Nothing was imported" in page and "notes.csv: no header row" in page
    assert str(tmp_path) not in page
    assert ProviderImport.objects.count() == 1
