import pytest

from icd_resources.codes import (
    code_query,
    code_references,
    normalize_code,
    note_names,
    same_but_for_seventh,
    split_index_code,
    with_seventh_character,
)
from icd_resources.errors import MalformedCodeError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("E11.22", "E11.22"),
        ("e1122", "E11.22"),
        (" t360x1a ", "T36.0X1A"),
        ("I10", "I10"),
        ("I10.", "I10"),
        ("qa001", "QA0.01"),
        ("c7a.010", "C7A.010"),
    ],
)
def test_normalize_code_accepts_common_spellings(raw: str, expected: str) -> None:
    assert normalize_code(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "E1", "11.22", "E11.22222", "E11-22", "hello world", "E11.2 2", "E1é", "hello"]
)
def test_normalize_code_rejects_malformed(raw: str) -> None:
    with pytest.raises(MalformedCodeError, match="not a well-formed ICD-10-CM code"):
        normalize_code(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("S72.0-", ("S72.0", True)),
        ("A30.-", ("A30", True)),
        ("T36.0X1", ("T36.0X1", False)),
        ("--", None),
        ("-", None),
        ("see text", None),
    ],
)
def test_split_index_code_marks_incomplete_codes(raw: str, expected: object) -> None:
    assert split_index_code(raw) == expected


@pytest.mark.parametrize(
    ("code", "char", "expected"),
    [
        ("W59.22", "A", "W59.22XA"),
        ("T36.0X1", "A", "T36.0X1A"),
        ("S32", "A", "S32.XXXA"),
        ("S72.001", "D", "S72.001D"),
        ("S06.0X1", "S", "S06.0X1S"),
    ],
)
def test_with_seventh_character_pads_with_placeholder_x(
    code: str, char: str, expected: str
) -> None:
    assert with_seventh_character(code, char) == expected


@pytest.mark.parametrize(
    ("note", "refs"),
    [
        ("stage of chronic kidney disease (N18.1-N18.6)", ["N18.1-N18.6"]),
        ("diabetes mellitus (E10.-)", ["E10-"]),
        ("blood disorders (D56-D76)", ["D56-D76"]),
        ("hypertensive disease (O10-O11, O13-O16)", ["O10-O11", "O13-O16"]),
        ("underdosing of medication regimen (Z91.12-, Z91.13-)", ["Z91.12-", "Z91.13-"]),
        ("letter-second categories (QA0.-)", ["QA0-"]),
        ("tuberculosis of any type in A15 (J65)", ["J65"]),  # prose outside parentheses
        ("human immunodeficiency virus (HIV) disease (B20)", ["B20"]),
    ],
)
def test_code_references_read_ranges_and_only_parentheses(note: str, refs: list[str]) -> None:
    assert [str(r) for r in code_references(note)] == refs


@pytest.mark.parametrize(
    ("note", "code", "named"),
    [
        ("(N18.1-N18.6)", "N18.30", True),
        ("(N18.1-N18.6)", "N18.9", False),
        ("(C82-C85)", "C83.00", True),
        ("(O00-O9A)", "O24.410", True),
        ("(O00-O9A)", "P00.0", False),
        ("(E08-E13 with .42)", "E11.42", True),
        ("(E08-E13 with .42)", "E11.9", False),
        ("(B27.0-B27.9 with fifth character 1)", "B27.01", True),
        ("(B27.0-B27.9 with fifth character 1)", "B27.09", False),
        ("any type in A15 (J65)", "A15.4", False),
    ],
)
def test_a_note_names_codes_in_its_ranges(note: str, code: str, named: bool) -> None:
    assert note_names(note, code) is named


def test_same_but_for_the_seventh_character() -> None:
    assert same_but_for_seventh("W19.XXXA", "W19.XXX")
    assert same_but_for_seventh("W19.XXXA", "W19")
    assert same_but_for_seventh("O32.1XX0", "O32.1XX")
    assert not same_but_for_seventh("S72.001A", "S72.002")
    assert not same_but_for_seventh("E11.22", "E11.2")


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("e1122", "E11.22"),
        (" I10 ", "I10"),
        ("E11.-", "E11-"),
        ("E08-E13", "E08-E13"),
        ("e08 - e13", "E08-E13"),
        ("fever", None),
        ("HIV", None),
        ("covid-19", None),
        ("B12 deficiency", None),
    ],
)
def test_a_query_written_as_a_code_is_read_as_one(query: str, read: str | None) -> None:
    ref = code_query(query)
    assert (str(ref) if ref else None) == read


def test_a_dotted_query_no_code_can_be_is_malformed() -> None:
    with pytest.raises(MalformedCodeError):
        code_query("ZZZ.99")
