"""The coding result at the package boundary: read, checked and written back unchanged."""

from __future__ import annotations

import json

import pytest

from graph.coding_result import CodingResult

CODE = {
    "rank": 1,
    "code": "A00.0",
    "description": "Cholera due to Vibrio cholerae 01, biovar cholerae",
    "evidence": [{"text": "cholera", "start": 10, "end": 17}],
}


def test_a_result_reads_and_writes_back_only_what_it_holds() -> None:
    old = {"note_id": "n1", "codes": [CODE], "checks": []}  # written before scores and plans
    result = CodingResult.read(old)
    assert result.codes[0].evidence[0].text == "cholera" and result.funnel.final == []
    assert result.as_written() == old  # no default key added: the review page reads it as before
    assert "score" not in result.as_written()["codes"][0]


def test_keys_a_later_clh_adds_pass_through() -> None:
    data = {"codes": [], "funnel": {"final": [], "new_step": [1]}, "new_key": {"x": 1}}
    written = CodingResult.read(data).as_written()
    assert written == data
    assert json.loads(CodingResult.read(data).model_dump_json(exclude_unset=True)) == data


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"note_id": "n1"}, "codes: Field required"),
        ({"codes": [{"code": "A00.0"}]}, "codes.0.rank: Field required"),
        ({"codes": [], "passes": "two"}, "passes: Input should be a valid integer"),
        ([1, 2], "the top level"),
    ],
)
def test_what_is_no_result_is_named(data: object, where: str) -> None:
    with pytest.raises(ValueError, match=where):
        CodingResult.read(data)
