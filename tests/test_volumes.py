"""Reading volume files: delimiters, headers, sums, the year filter, and every error kind."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import sfprice
import sfprice.io.volumes
from sfprice import InputError, Month, PriceCatalog, VolumeKey, VolumeSet

WriteFile = Callable[..., Path]
HEADER = "month,department,service,quantity\n"


def as_dict(volumes: VolumeSet) -> dict[tuple[str, str, str], Decimal]:
    """{(month, department, service): quantity}, for compact assertions."""
    return {
        (str(e.key.month), e.key.department, e.key.service): e.quantity for e in volumes.entries
    }


def key(month: str, department: str, service: str) -> VolumeKey:
    return VolumeKey(Month.parse(month), department, service)


def read_error(path: Path, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as info:
        sfprice.read_volumes(path, **kwargs)  # type: ignore[arg-type]
    return info.value


# ------------------------------------------------------------------------ formats


def test_comma_delimited_file(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv",
        HEADER + "2014-03,Kultur,payroll.manual,95\n2014-03,Kultur,payroll.self_service,640\n",
    )
    volumes = sfprice.read_volumes(path, catalog=catalog)
    assert as_dict(volumes) == {
        ("2014-03", "Kultur", "payroll.manual"): Decimal(95),
        ("2014-03", "Kultur", "payroll.self_service"): Decimal(640),
    }
    assert all(e.rows == 1 for e in volumes)
    assert all(e.sources[0].path == str(path) for e in volumes)
    assert volumes.excluded_rows == 0


def test_semicolon_delimited_file_with_decimal_comma(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # A Swedish Excel export: ";" between fields and "," as decimal mark.
    path = write_file(
        "v.csv",
        "month;department;service;quantity\n"
        "2014-03;Kultur;payroll.hourly.training;2,5\n"
        "2014-03;Kultur;payroll.manual;95\n",
    )
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-03", "Kultur", "payroll.hourly.training"): Decimal("2.5"),
        ("2014-03", "Kultur", "payroll.manual"): Decimal(95),
    }


def test_tab_delimited_file(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.tsv",
        "month\tdepartment\tservice\tquantity\n2014-03\tKultur, enhet 2\tpayroll.manual\t7\n",
    )
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-03", "Kultur, enhet 2", "payroll.manual"): Decimal(7)
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2.25", "2.25"), ('"2,25"', "2.25"), ("0.5", "0.5"), ("3", "3"), ("0", "0")],
)
def test_decimal_point_and_comma_in_hours(
    write_file: WriteFile, catalog: PriceCatalog, text: str, expected: str
) -> None:
    path = write_file("v.csv", HEADER + f"2014-03,Kultur,payroll.hourly.correction,{text}\n")
    volumes = sfprice.read_volumes(path, catalog=catalog)
    assert volumes.entries[0].quantity == Decimal(expected)


def test_thousands_separator_spaces_are_accepted(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # "1 200" and "1\u00a0200" (Excel's no-break space) are both 1200.
    path = write_file(
        "v.csv",
        "month;department;service;quantity\n"
        "2014-03;A;payroll.self_service;1 200\n"
        "2014-04;A;payroll.self_service;1\u00a0200\n",
    )
    assert [e.quantity for e in sfprice.read_volumes(path, catalog=catalog)] == [
        Decimal(1200),
        Decimal(1200),
    ]


def test_utf8_bom_is_skipped(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv",
        "month;department;service;quantity\n2014-03;Skarpnäck;payroll.manual;3\n",
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-03", "Skarpnäck", "payroll.manual"): Decimal(3)
    }


def test_crlf_line_endings(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv", "month,department,service,quantity\r\n2014-03,A,payroll.manual,3\r\n"
    )
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-03", "A", "payroll.manual"): Decimal(3)
    }


def test_columns_in_any_order_and_extra_columns_ignored(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        "comment,quantity,service,cost_centre,department,month\n"
        "Lisa,12,payroll.manual,4711,Kultur,2014-05\n",
    )
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-05", "Kultur", "payroll.manual"): Decimal(12)
    }


@pytest.mark.parametrize(
    "header",
    [
        "månad;förvaltning;tjänst;antal",
        "Månad;Förvaltning;Tjänst;Antal",
        " MÅNAD ; FÖRVALTNING ; TJÄNST ; ANTAL ",
        "antal;tjänst;förvaltning;månad;kommentar",
    ],
)
def test_swedish_header_aliases(write_file: WriteFile, catalog: PriceCatalog, header: str) -> None:
    values = {"månad": "2014-02", "förvaltning": "Kultur", "tjänst": "payroll.manual", "antal": "4"}
    names = [name.strip().lower() for name in header.split(";")]
    row = ";".join(values.get(name, "x") for name in names)
    path = write_file("v.csv", f"{header}\n{row}\n")
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-02", "Kultur", "payroll.manual"): Decimal(4)
    }


def test_blank_lines_are_skipped(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv",
        HEADER + "\n2014-03,A,payroll.manual,1\n\n\n2014-03,A,payroll.manual,2\n,,,\n\n",
    )
    volumes = sfprice.read_volumes(path, catalog=catalog)
    assert as_dict(volumes) == {("2014-03", "A", "payroll.manual"): Decimal(3)}  # 1 + 2
    assert volumes.entries[0].rows == 2


def test_rows_of_the_same_key_add_up(write_file: WriteFile, catalog: PriceCatalog) -> None:
    # Skarpnäck reports payroll.manual per unit: 400 + 190 + 10 = 600, from 3 rows. Spaces
    # around department and service do not make a different key.
    path = write_file(
        "v.csv",
        HEADER
        + "2014-02,Skarpnäck,payroll.manual,400\n"
        + "2014-02,Kultur,payroll.manual,5\n"
        + "2014-02, Skarpnäck ,payroll.manual,190\n"
        + "2014-02,Skarpnäck, payroll.manual ,10\n"
        + "2014-03,Skarpnäck,payroll.manual,7\n",
    )
    volumes = sfprice.read_volumes(path, catalog=catalog)
    assert as_dict(volumes) == {
        ("2014-02", "Kultur", "payroll.manual"): Decimal(5),
        ("2014-02", "Skarpnäck", "payroll.manual"): Decimal(600),
        ("2014-03", "Skarpnäck", "payroll.manual"): Decimal(7),
    }
    rows = {(str(e.key.month), e.key.department): e.rows for e in volumes}
    assert rows == {
        ("2014-02", "Kultur"): 1,
        ("2014-02", "Skarpnäck"): 3,
        ("2014-03", "Skarpnäck"): 1,
    }
    # Entries come sorted by month, department, service.
    assert [e.key for e in volumes] == sorted(e.key for e in volumes)
    assert volumes.months == (Month(2014, 2), Month(2014, 3))
    assert volumes.departments == ("Kultur", "Skarpnäck")


def test_year_filter_counts_excluded_rows(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv",
        HEADER
        + "2013-12,A,payroll.manual,5\n"
        + "2014-01,A,payroll.manual,6\n"
        + "2013-12,A,payroll.manual,7\n"
        + "2015-01,B,payroll.manual,8\n",
    )
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    assert as_dict(volumes) == {("2014-01", "A", "payroll.manual"): Decimal(6)}
    assert dict(volumes.excluded) == {str(path): 3}  # two 2013 rows and one 2015 row
    assert volumes.excluded_rows == 3


def test_rows_outside_the_year_are_not_validated(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # An old row's typo does not block billing this year; it is only counted as left out.
    path = write_file(
        "v.csv", HEADER + "2013-12,A,no.such.service,2.5\n2014-01,A,payroll.manual,6\n"
    )
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    assert volumes.excluded_rows == 1
    assert len(volumes) == 1


def test_without_year_every_row_is_kept(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file("v.csv", HEADER + "2013-12,A,payroll.manual,5\n2014-01,A,payroll.manual,6\n")
    volumes = sfprice.read_volumes(path, catalog=catalog)
    assert len(volumes) == 2
    assert volumes.excluded_rows == 0
    assert dict(volumes.excluded) == {}


def test_fractional_counts_are_rejected_but_whole_decimals_accepted(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    ok = write_file(
        "ok.csv", HEADER + '2014-03,A,payroll.manual,"2,0"\n2014-03,A,payroll.agresso,3.00\n'
    )
    volumes = sfprice.read_volumes(ok, catalog=catalog)
    # 2,0 and 3.00 are whole: stored as 2 and 3, not 2.0 and 3.00 (entries sorted by code).
    assert [(e.key.service, str(e.quantity)) for e in volumes] == [
        ("payroll.agresso", "3"),
        ("payroll.manual", "2"),
    ]

    bad = write_file("bad.csv", HEADER + '2014-03,A,payroll.manual,"2,5"\n')
    error = read_error(bad, catalog=catalog)
    assert len(error.issues) == 1
    issue = error.issues[0]
    assert (issue.line, issue.column) == (2, "quantity")
    assert "'2,5'" in issue.message
    assert "payroll.manual" in issue.message
    assert "whole number" in issue.message


def test_without_catalog_any_service_and_fraction_is_accepted(write_file: WriteFile) -> None:
    path = write_file("v.csv", HEADER + "2014-03,A,made.up,2.5\n")
    assert as_dict(sfprice.read_volumes(path)) == {("2014-03", "A", "made.up"): Decimal("2.5")}


def test_example_files_read(catalog: PriceCatalog) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    v2014 = sfprice.read_volumes(examples / "volumes-2014.csv", catalog=catalog, year=2014)
    # 20 rows; Skarpnäck's two payroll.manual rows of 2014-02 (400 + 190) are one key.
    assert len(v2014) == 19
    assert sum(e.rows for e in v2014) == 20
    merged = as_dict(v2014)[("2014-02", "Skarpnäcks stadsdelsförvaltning", "payroll.manual")]
    assert merged == Decimal(590)
    v2010 = sfprice.read_volumes(examples / "volumes-2010.csv", catalog=catalog, year=2010)
    assert len(v2010) == 17
    assert as_dict(v2010)[("2010-03", "Exploateringsförvaltningen", "procurement.hourly")] == (
        Decimal("7.5")
    )


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("row", "column", "quoted"),
    [
        ("2014-13,A,payroll.manual,1", "month", "'2014-13'"),
        ("0000-01,A,payroll.manual,1", "month", "'0000-01'"),
        ("14-03,A,payroll.manual,1", "month", "'14-03'"),
        ("mars,A,payroll.manual,1", "month", "'mars'"),
        (",A,payroll.manual,1", "month", "''"),
        ("2014-03,,payroll.manual,1", "department", "department is empty"),
        ("2014-03,  ,payroll.manual,1", "department", "department is empty"),
        ("2014-03,A,,1", "service", "service is empty"),
        ("2014-03,A,payroll.manul,1", "service", "'payroll.manul'"),
        ("2014-03,A,payroll.manual,-5", "quantity", "'-5'"),
        ("2014-03,A,payroll.manual,abc", "quantity", "'abc'"),
        ("2014-03,A,payroll.manual,12 st", "quantity", "'12 st'"),
        ("2014-03,A,payroll.manual,1e3", "quantity", "'1e3'"),
        ("2014-03,A,payroll.manual,", "quantity", "''"),
    ],
)
def test_bad_value_is_reported_with_file_line_column_and_value(
    write_file: WriteFile, catalog: PriceCatalog, row: str, column: str, quoted: str
) -> None:
    # Line 1 is the header, line 2 a good row, line 3 the bad one.
    path = write_file("v.csv", HEADER + "2014-03,A,payroll.manual,1\n" + row + "\n")
    error = read_error(path, catalog=catalog)
    assert len(error.issues) == 1, error.issues
    issue = error.issues[0]
    assert issue.path == str(path)
    assert issue.line == 3
    assert issue.column == column
    assert quoted in issue.message
    assert str(issue).startswith(f"{path}:3: column {column!r}:")


def test_unknown_service_suggests_the_nearest_code(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file("v.csv", HEADER + "2014-03,A,payroll.manul,1\n")
    (issue,) = read_error(path, catalog=catalog).issues
    assert "unknown service 'payroll.manul'" in issue.message
    assert "did you mean payroll.manual" in issue.message


def test_unknown_service_without_a_near_code_points_to_the_list(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file("v.csv", HEADER + "2014-03,A,zzz,1\n")
    (issue,) = read_error(path, catalog=catalog).issues
    assert "'zzz'" in issue.message
    assert "pricelists" in issue.message


def test_negative_zero_is_zero_not_negative(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file("v.csv", HEADER + "2014-03,A,payroll.manual,-0\n")
    assert sfprice.read_volumes(path, catalog=catalog).entries[0].quantity == 0


def test_one_row_with_several_problems_reports_each(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file("v.csv", HEADER + "2014-13,,payroll.manul,-5\n")
    issues = read_error(path, catalog=catalog).issues
    assert [(i.line, i.column) for i in issues] == [
        (2, "month"),
        (2, "department"),
        (2, "service"),
        (2, "quantity"),
    ]


def test_short_row_is_reported(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file("v.csv", HEADER + "2014-03,A,payroll.manual,1\n2014-03,A\n")
    (issue,) = read_error(path, catalog=catalog).issues
    assert issue.path == str(path)
    assert issue.line == 3
    assert issue.column is None
    assert "2 field(s)" in issue.message
    assert "expected at least 4" in issue.message
    assert "'2014-03,A'" in issue.message


def test_missing_column_in_header_is_reported(write_file: WriteFile) -> None:
    path = write_file("v.csv", "month,department,service,amount\n2014-03,A,payroll.manual,1\n")
    (issue,) = read_error(path).issues
    assert issue.path == str(path)
    assert issue.line == 1
    assert "missing column(s) quantity" in issue.message
    assert "'amount'" in issue.message  # the header as found


def test_duplicate_column_in_header_is_reported(write_file: WriteFile) -> None:
    path = write_file("v.csv", "month,department,service,quantity,antal\n2014-03,A,x,1,2\n")
    (issue,) = read_error(path).issues
    assert issue.line == 1
    assert "quantity" in issue.message
    assert "more than once" in issue.message


def test_empty_file_is_reported(write_file: WriteFile) -> None:
    path = write_file("v.csv", "")
    (issue,) = read_error(path).issues
    assert issue.line == 1
    assert "the file is empty" in issue.message
    assert "month,department,service,quantity" in issue.message


def test_non_utf8_file_is_reported(write_file: WriteFile) -> None:
    # "Skarpnäck" saved as Latin-1 (Excel's "CSV" rather than "CSV UTF-8").
    path = write_file("v.csv", HEADER + "2014-03,Skarpnäck,payroll.manual,1\n", encoding="latin-1")
    (issue,) = read_error(path).issues
    assert issue.path == str(path)
    assert "not UTF-8" in issue.message
    assert r"b'\xe4'" in issue.message  # the byte of "ä" in Latin-1


def test_non_utf8_offset_is_the_offset_in_the_file(write_file: WriteFile) -> None:
    good = HEADER + "2014-03,A,payroll.manual,1\n" * 400  # 34 + 400 * 27 = 10834 bytes
    prefix = good + "2014-03,Skarpn"
    path = write_file("v.csv", (prefix + "äck,payroll.manual,1\n").encode("latin-1"))
    offset = len(prefix.encode("latin-1"))  # 10848, beyond the first 8192-byte chunk
    (issue,) = read_error(path).issues
    assert f"at offset {offset}" in issue.message
    assert issue.line == 402  # header + 400 good rows, then the bad one


def test_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    (issue,) = read_error(path).issues
    assert issue.path == str(path)
    assert "file not found" in issue.message


def test_input_error_is_a_value_error(write_file: WriteFile) -> None:
    path = write_file("v.csv", HEADER + "mars,A,x,1\n")
    with pytest.raises(ValueError, match="'mars' is not a month"):
        sfprice.read_volumes(path)


def test_all_problems_are_reported_in_one_pass(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        HEADER
        + "2014-03,A,payroll.manual,1\n"  # 2 ok
        + "2014-3,A,payroll.manual,1\n"  # 3 month
        + "2014-03,A,payroll.manual,1\n"  # 4 ok
        + "2014-03,A,ar.feedr,1\n"  # 5 service
        + "2014-03,A,payroll.manual,x\n"  # 6 quantity
        + "2014-3,A,payroll.manual,1\n",  # 7 month again (same bad value, reported again)
    )
    error = read_error(path, catalog=catalog)
    assert [(i.line, i.column) for i in error.issues] == [
        (3, "month"),
        (5, "service"),
        (6, "quantity"),
        (7, "month"),
    ]
    assert error.truncated == 0
    assert len(str(error).splitlines()) == 4


def test_issue_cap_truncates_with_a_count(write_file: WriteFile, catalog: PriceCatalog) -> None:
    path = write_file(
        "v.csv", HEADER + "".join(f"2014-03,A,payroll.manual,x{n}\n" for n in range(10))
    )
    error = read_error(path, catalog=catalog, max_issues=3)
    # 10 bad rows, 3 shown, 10 - 3 = 7 counted.
    assert [i.line for i in error.issues] == [2, 3, 4]
    assert error.truncated == 7
    assert str(error).splitlines()[-1] == "... and 7 more problem(s) not shown"


def test_default_cap_is_50(write_file: WriteFile) -> None:
    path = write_file("v.csv", HEADER + "mars,A,x,1\n" * 60)
    error = read_error(path)
    assert len(error.issues) == 50
    assert error.truncated == 10


def test_line_numbers_count_quoted_fields_spanning_lines(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        HEADER
        + '2014-03,"Kultur\nenhet 1",payroll.manual,1\n'  # lines 2-3
        + "\n"  # line 4
        + '2014-03,"Kultur\n\nenhet 2",payroll.manual,bad\n'  # lines 5-7: reported at 5
        + "2014-03,Kultur,payroll.manual,-1\n",  # line 8
    )
    error = read_error(path, catalog=catalog)
    # A line break is no part of a department name (sfprice.names): refused where it starts.
    assert [(i.line, i.column) for i in error.issues] == [
        (2, "department"),
        (5, "department"),
        (5, "quantity"),
        (8, "quantity"),
    ]


def test_quoted_field_spanning_lines_is_refused_with_the_break_escaped(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file("v.csv", HEADER + '2014-03,"Kultur\nenhet 1",payroll.manual,1\n')
    (issue,) = read_error(path, catalog=catalog).issues
    assert (issue.line, issue.column) == (2, "department")
    assert issue.message.startswith("'Kultur\\nenhet 1' holds U+000A LINE FEED")
    assert "\n" not in str(issue)


# ------------------------------------------------------------------------ several files


def test_several_files_add_up(write_file: WriteFile, catalog: PriceCatalog) -> None:
    first = write_file(
        "a.csv", HEADER + "2014-03,A,payroll.manual,10\n2013-03,A,payroll.manual,1\n"
    )
    second = write_file(
        "b.csv",
        "månad;förvaltning;tjänst;antal\n2014-03;A;payroll.manual;5\n2014-03;A;payroll.manual;1\n",
    )
    volumes = sfprice.read_volume_files([first, second], catalog=catalog, year=2014)
    (entry,) = volumes.entries
    assert entry.quantity == Decimal(16)  # 10 + 5 + 1
    assert entry.rows == 3
    assert {s.path: s.rows for s in entry.sources} == {str(first): 1, str(second): 2}
    assert dict(volumes.excluded) == {str(first): 1}


def test_problems_of_several_files_are_reported_together(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    first = write_file("a.csv", HEADER + "2014-13,A,payroll.manual,1\n")
    second = write_file("b.csv", HEADER + "2014-03,A,payroll.manual,1\n2014-03,A,nope,1\n")
    with pytest.raises(InputError) as info:
        sfprice.read_volume_files([first, second], catalog=catalog)
    assert [(i.path, i.line, i.column) for i in info.value.issues] == [
        (str(first), 2, "month"),
        (str(second), 3, "service"),
    ]


# ------------------------------------------------------------------------ trace_rows


def test_trace_rows_lists_the_lines_behind_a_key(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    path = write_file(
        "v.csv",
        HEADER
        + "2014-02,Skarpnäck,payroll.manual,400\n"  # 2
        + "2014-02,Kultur,payroll.manual,5\n"  # 3
        + "\n"  # 4
        + '2014-02,"Kultur; norr",payroll.manual,5\n'  # 5
        + "2014-02, Skarpnäck ,payroll.manual,190\n"  # 6
        + "2014-03,Skarpnäck,payroll.manual,7\n"  # 7
        + "2014-02,Skarpnäck,payroll.self_service,7\n"  # 8
        + "2014-02,Skarpna\u0308ck,payroll.manual,10\n",  # 9: NFD, the same name
    )
    wanted = key("2014-02", "Skarpnäck", "payroll.manual")
    assert sfprice.trace_rows(path, wanted, catalog=catalog) == (2, 6, 9)
    assert sfprice.trace_rows(path, key("2014-02", "Kultur; norr", "payroll.manual")) == (5,)
    # The trace agrees with the row count of the volume.
    volumes = sfprice.read_volumes(path, catalog=catalog)
    entry = next(e for e in volumes if e.key == wanted)
    assert entry.rows == 3
    assert entry.quantity == Decimal(600)  # 400 + 190 + 10


def test_trace_rows_of_an_absent_key_is_empty(write_file: WriteFile) -> None:
    path = write_file("v.csv", HEADER + "2014-02,A,payroll.manual,1\n")
    assert sfprice.trace_rows(path, key("2014-03", "A", "payroll.manual")) == ()
    assert sfprice.trace_rows(path, key("2014-02", "B", "payroll.manual")) == ()


def test_trace_rows_on_the_example(catalog: PriceCatalog) -> None:
    examples = Path(__file__).resolve().parents[1] / "examples"
    wanted = key("2014-02", "Skarpnäcks stadsdelsförvaltning", "payroll.manual")
    # "enhet norr" (400) is line 16 and "enhet syd" (190) line 17 of the example.
    assert sfprice.trace_rows(examples / "volumes-2014.csv", wanted, catalog=catalog) == (16, 17)


# ------------------------------------------------------------------------ fast vs slow path


def _read_with_chunk(
    monkeypatch: pytest.MonkeyPatch, path: Path, chunk: int, **kw: object
) -> VolumeSet:
    with monkeypatch.context() as patch:
        patch.setattr(sfprice.io.volumes, "_CHUNK_ROWS", chunk)
        return sfprice.read_volumes(path, **kw)  # type: ignore[arg-type]


def _summary(volumes: VolumeSet) -> list[tuple[VolumeKey, Decimal, int]]:
    return [(e.key, e.quantity, e.rows) for e in volumes]


def test_valid_file_with_and_without_trailing_blank_line_agree(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    body = (
        HEADER
        + "2014-03,A,payroll.manual,1\n2014-03,B,payroll.manual,2\n2014-03,A,payroll.manual,3\n"
    )
    plain = sfprice.read_volumes(write_file("a.csv", body), catalog=catalog)
    trailing = sfprice.read_volumes(write_file("b.csv", body + "\n"), catalog=catalog)
    no_newline = sfprice.read_volumes(write_file("c.csv", body.rstrip("\n")), catalog=catalog)
    assert _summary(plain) == _summary(trailing) == _summary(no_newline)
    assert as_dict(plain) == {
        ("2014-03", "A", "payroll.manual"): Decimal(4),  # 1 + 3
        ("2014-03", "B", "payroll.manual"): Decimal(2),
    }


def test_file_larger_than_a_chunk_gives_the_same_sums(
    write_file: WriteFile, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20 rows over 2 departments x 2 months, hours 0,5 and counts 1..20; chunk of 3 rows
    # gives 7 chunks (3*6 + 2).
    rows = []
    for n in range(1, 21):
        month = "2014-01" if n % 2 else "2014-02"
        department = "A" if n % 4 < 2 else "B"
        rows.append(f"{month};{department};payroll.self_service;{n}")
        if n % 5 == 0:
            rows.append(f"{month};{department};payroll.hourly.training;0,5")
        if n % 7 == 0:
            rows.append("")  # blank lines between chunks
    rows.append("2013-12;A;payroll.self_service;99")  # excluded
    path = write_file("v.csv", "month;department;service;quantity\n" + "\n".join(rows) + "\n\n")

    whole = sfprice.read_volumes(path, catalog=catalog, year=2014)
    chunked = _read_with_chunk(monkeypatch, path, 3, catalog=catalog, year=2014)
    one_row = _read_with_chunk(monkeypatch, path, 1, catalog=catalog, year=2014)
    assert _summary(whole) == _summary(chunked) == _summary(one_row)
    assert whole.excluded_rows == chunked.excluded_rows == one_row.excluded_rows == 1

    # By hand: n odd -> 2014-01, n even -> 2014-02; n % 4 in {0, 1} -> A, {2, 3} -> B.
    #   2014-01 A: 1 5 9 13 17 = 45      2014-01 B: 3 7 11 15 19 = 55
    #   2014-02 A: 4 8 12 16 20 = 60     2014-02 B: 2 6 10 14 18 = 50
    # Training 0,5 h at n = 5 (01 A), 10 (02 B), 15 (01 B), 20 (02 A).
    assert as_dict(chunked) == {
        ("2014-01", "A", "payroll.self_service"): Decimal(45),
        ("2014-01", "A", "payroll.hourly.training"): Decimal("0.5"),
        ("2014-01", "B", "payroll.self_service"): Decimal(55),
        ("2014-01", "B", "payroll.hourly.training"): Decimal("0.5"),
        ("2014-02", "A", "payroll.self_service"): Decimal(60),
        ("2014-02", "A", "payroll.hourly.training"): Decimal("0.5"),
        ("2014-02", "B", "payroll.self_service"): Decimal(50),
        ("2014-02", "B", "payroll.hourly.training"): Decimal("0.5"),
    }
    assert sum(e.rows for e in chunked) == 24  # 20 count rows + 4 training rows


def test_problem_in_a_later_chunk_is_reported_at_its_line(
    write_file: WriteFile, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = "".join("2014-03,A,payroll.manual,1\n" for _ in range(8))  # lines 2-9
    path = write_file(
        "v.csv", HEADER + good + "2014-03,A\n" + good + "2014-03,A,payroll.manual,x\n"
    )
    # The short row is line 10, the bad quantity line 2 + 8 + 1 + 8 = 19.
    with monkeypatch.context() as patch:
        patch.setattr(sfprice.io.volumes, "_CHUNK_ROWS", 3)
        error = read_error(path, catalog=catalog)
    assert [(i.line, i.column) for i in error.issues] == [(10, None), (19, "quantity")]


def test_whitespace_only_line_is_skipped_like_a_blank_line(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # "   " is a short row (1 field) but blank: skipped, not reported.
    path = write_file("v.csv", HEADER + "2014-03,A,payroll.manual,5\n   \n\t\n \n")
    assert as_dict(sfprice.read_volumes(path, catalog=catalog)) == {
        ("2014-03", "A", "payroll.manual"): Decimal(5)
    }


def _force_slow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fast path counts identical physical lines; returning False makes the reader fall
    # back to the csv-record path, as it does for a file with a quoted field spanning lines.
    monkeypatch.setattr(sfprice.io.volumes, "_sum_lines", lambda *args: False)


def test_fast_and_slow_paths_agree_on_a_valid_file(
    write_file: WriteFile, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file(
        "v.csv",
        "month;department;service;quantity;comment\n"
        + "2014-01;A;payroll.manual;3;\n" * 50  # 50 identical lines: 150
        + "2014-01; A ;payroll.manual;1;x\n"  # another spelling of the same key: 151
        + "2014-01;B;payroll.hourly.training;0,5;\n"
        + "2014-01;B;payroll.hourly.training;1,25;\n"  # 0,5 + 1,25 = 1,75
        + "2013-12;A;payroll.manual;9;\n"  # excluded
        + "\n"
        + "2014-02;A;payroll.manual;2;\n"
        + "2014-02;A;payroll.manual;2;",  # last line without newline: same row again
    )
    fast = sfprice.read_volumes(path, catalog=catalog, year=2014)
    _force_slow_path(monkeypatch)
    slow = sfprice.read_volumes(path, catalog=catalog, year=2014)
    assert _summary(fast) == _summary(slow)
    assert fast.excluded == slow.excluded == {str(path): 1}
    assert [(e.quantity, e.rows) for e in fast] == [
        (Decimal(151), 51),  # 2014-01 A payroll.manual
        (Decimal("1.75"), 2),  # 2014-01 B payroll.hourly.training
        (Decimal(4), 2),  # 2014-02 A payroll.manual
    ]


def test_quoted_field_spanning_lines_falls_back_and_agrees(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # The same rows with a one-line comment (fast path) and a two-line one (csv path).
    rows = (
        "2014-01,A,payroll.manual,3,{comment}\n"
        "2014-01,A,payroll.manual,4,\n"
        "2014-01,B,payroll.manual,1,\n"
    )
    header = "month,department,service,quantity,comment\n"
    one_line = write_file("a.csv", header + rows.format(comment='"rad 1, rad 2"'))
    two_lines = write_file("b.csv", header + rows.format(comment='"rad 1\nrad 2"'))
    fast = sfprice.read_volumes(one_line, catalog=catalog)
    slow = sfprice.read_volumes(two_lines, catalog=catalog)
    assert _summary(fast) == _summary(slow)
    assert as_dict(slow) == {
        ("2014-01", "A", "payroll.manual"): Decimal(7),  # 3 + 4
        ("2014-01", "B", "payroll.manual"): Decimal(1),
    }


def test_bad_quantity_of_a_key_seen_before_is_reported(
    write_file: WriteFile, catalog: PriceCatalog
) -> None:
    # The reader classifies each (month, department, service) once; a later row of the same
    # key with a bad quantity, and a first row with a bad one, must still be reported.
    path = write_file(
        "v.csv",
        HEADER
        + "2014-03,A,payroll.manual,2\n"  # 2
        + "2014-03,A,payroll.manual,x\n"  # 3
        + "2014-03,B,payroll.manual,2.5\n"  # 4
        + "2014-03,B,payroll.manual,3\n",  # 5
    )
    error = read_error(path, catalog=catalog)
    assert [(i.line, i.column) for i in error.issues] == [(3, "quantity"), (4, "quantity")]


@pytest.mark.parametrize(("chunk", "distinct"), [(3, 200_000), (3, 2), (1, 1)])
def test_small_chunks_and_distinct_limit_give_the_same_sums(
    write_file: WriteFile,
    catalog: PriceCatalog,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    distinct: int,
) -> None:
    path = write_file(
        "v.csv",
        HEADER + "".join(f"2014-0{1 + n % 3},D{n % 4},payroll.manual,{n}\n" for n in range(30)),
    )
    expected = _summary(sfprice.read_volumes(path, catalog=catalog))
    with monkeypatch.context() as patch:
        patch.setattr(sfprice.io.volumes, "_CHUNK_ROWS", chunk)
        patch.setattr(sfprice.io.volumes, "_DISTINCT_LIMIT", distinct)
        assert _summary(sfprice.read_volumes(path, catalog=catalog)) == expected
        _force_slow_path(patch)
        assert _summary(sfprice.read_volumes(path, catalog=catalog)) == expected
    # 0..29 adds up to 435 over 30 rows, whatever the chunking.
    assert sum(quantity for _, quantity, _ in expected) == 435
    assert sum(rows for _, _, rows in expected) == 30


def test_literal_quotes_beside_a_multiline_field_do_not_crash(
    write_file: WriteFile, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Line 2 holds a literal 5" in an unquoted field and opens a quoted comment (2 quotes),
    # line 3 closes it and holds another literal 7" (2 quotes): one record over two lines.
    path = write_file(
        "v.csv",
        "month,department,service,quantity,comment\n"
        '2014-03,Kultur 5" x,payroll.manual,1,"first\nsecond",extra 7" y\n'
        "2014-03,A,payroll.manual,2,\n",
    )
    # The record has 6 fields and the header 5: a row longer than the header is an error at
    # the line where the record starts, on both paths (it was read, the 6th field dropped).
    with monkeypatch.context() as patch:
        _force_slow_path(patch)
        slow = read_error(path, catalog=catalog)
    fast = read_error(path, catalog=catalog)
    assert [(i.line, i.column) for i in slow.issues] == [(2, None)]
    assert slow.issues == fast.issues
    assert "the row has 6 fields but the header has 5" in fast.issues[0].message


@pytest.mark.parametrize(
    ("text", "value"),
    [("12,0000000", Decimal(12)), ("1200,00000000", Decimal(1200)), ("2,50", Decimal("2.50"))],
)
def test_trailing_zeros_beyond_six_decimals_are_not_out_of_range(text: str, value: Decimal) -> None:
    from sfprice.io.volumes import parse_quantity

    parsed = parse_quantity(text)
    assert parsed == value
    assert "E" not in str(parsed)
