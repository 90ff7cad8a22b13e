"""Population tables and deprivation lookups: every problem names the file, line and column; all or nothing."""

from __future__ import annotations

import pytest

from coopgov.apps.engagement import services
from coopgov.apps.engagement.models import PopulationTable
from coopgov.apps.engagement.population import PopulationFileError, parse_deprivation, parse_population
from coopgov.apps.orgs.models import Organisation

HEAD = "geography,dimension,category,count\n"


def test_census_labels_and_codes_are_accepted() -> None:
    cells = parse_population(
        (HEAD + "Devon,Age band,18 to 24,61234\nDevon,sex,Female,\"412,345\"\nDevon,ethnic_group,White,9\n"
         "Devon,deprivation_decile,1,30\n").encode()
    )  # fmt: skip
    assert [(c.dimension, c.category, c.count) for c in cells] == [
        ("age_band", "18-24", 61234),
        ("sex", "female", 412345),
        ("ethnic_group", "white", 9),
        ("deprivation_decile", "1", 30),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("geography,category,count\nDevon,female,1\n", "pop.csv, line 1: missing column(s) dimension"),
        (HEAD + "Devon,sex,female,-4\n", "pop.csv, line 2: column count: -4 is negative"),
        (
            HEAD + "Devon,sex,female,12\nDevon,sex,Prefer not to say,3\n",
            "pop.csv, line 3: column category: unknown sex",
        ),
        (HEAD + "Devon,shoe size,9,3\n", "pop.csv, line 2: column dimension: unknown dimension 'shoe size'"),
        (HEAD + "Devon,sex,female,lots\n", "pop.csv, line 2: column count: 'lots' is not a whole number"),
        (
            HEAD + "Devon,sex,female,1\nDevon,sex,Female,2\n",
            "pop.csv, line 3: repeats Devon / sex / female from line 2",
        ),
        (HEAD + ",sex,female,1\n", "pop.csv, line 2: column geography is empty"),
        (HEAD, "pop.csv: has no rows of data"),
        (HEAD + "Devon,deprivation_decile,11,5\n", "pop.csv, line 2: column category: unknown deprivation decile"),
    ],
)
def test_bad_population_rows(text: str, message: str) -> None:
    with pytest.raises(PopulationFileError) as err:
        parse_population(text.encode(), "pop.csv")
    assert str(err.value).startswith(message)


def test_not_utf8() -> None:
    with pytest.raises(PopulationFileError, match=r"pop.csv: is not UTF-8"):
        parse_population(b"\xff\xfe\x00g", "pop.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postcode_district,decile\nEX1,11\n", "imd.csv, line 2: column decile: 11 is not between 1 and 10"),
        ("postcode_district,decile\nnot a district,3\n", "imd.csv, line 2: column postcode_district"),
        ("postcode_district,decile\nEX1,3\nex1,4\n", "imd.csv, line 3: repeats postcode district EX1 from line 2"),
        ("district,decile\nEX1,3\n", "imd.csv, line 1: missing column(s) postcode_district"),
    ],
)
def test_bad_deprivation_rows(text: str, message: str) -> None:
    with pytest.raises(PopulationFileError) as err:
        parse_deprivation(text.encode(), "imd.csv")
    assert str(err.value).startswith(message)


def test_upload_is_all_or_nothing(care_coop: Organisation) -> None:
    services.do_upload_population(
        actor=None, organisation=care_coop, name="first", data=(HEAD + "A,sex,female,5\n").encode(), filename="a.csv"
    )
    with pytest.raises(PopulationFileError):
        services.do_upload_population(
            actor=None, organisation=care_coop, name="second",
            data=(HEAD + "A,sex,female,5\nA,sex,female,6\n").encode(), filename="b.csv",
        )  # fmt: skip
    assert list(PopulationTable.objects.filter(organisation=care_coop).values_list("name", "is_current")) == [
        ("first", True)
    ]
