import pytest

from icd_resources.codes import (
    normalize_code,
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
    "raw", ["", "E1", "11.22", "E11.22222", "E11-22", "hello world", "E11.2 2", "E1é"]
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
