"""The stated side's siblings of a candidate of unspecified side (OCG I.B.13), on FY2026."""

from __future__ import annotations

import pytest

from graph.nodes.passes import side_candidates
from graph.schemas import Candidate
from icd_resources import IcdResources
from tools.lanes import Lane
from tools.sides import sided_siblings, stated_sides

pytestmark = pytest.mark.release


def test_the_sides_a_note_names() -> None:
    assert stated_sides("Fell on her RIGHT ankle; both knees sore") == {"right", "bilateral"}
    assert stated_sides("Fell, ankle sore") == frozenset()


@pytest.mark.parametrize(
    ("code", "sides", "expected"),
    [
        ("S93.499A", {"right"}, ["S93.491A"]),  # the 7th character carried over
        ("S52.539D", {"right", "left"}, ["S52.531D", "S52.532D"]),
        ("M25.569", {"left"}, ["M25.562"]),
        ("H66.90", {"right"}, ["H66.91"]),
        ("C50.919", {"left"}, ["C50.912"]),
        ("M25.561", {"left"}, []),  # already sided
        ("I10", {"right"}, []),
        ("E11.9", {"left"}, []),  # "without complications", no unspecified side
    ],
)
def test_sided_siblings(real_icd: IcdResources, code: str, sides: set[str], expected) -> None:
    assert sided_siblings(real_icd, code, sides) == expected


def test_side_candidates_carry_their_relatives_finding(real_icd: IcdResources) -> None:
    unspecified = Candidate(
        code="S93.499A",
        description="Sprain of other ligament of unspecified ankle, initial encounter",
        chapter=19,
        finding_id="p1.c0.f3",
        index_path="Sprain, ankle S93.40-",
        via="lanes: walk",
        index_code="S93.499A",
        lanes=["walk"],
    )
    (sided,) = side_candidates(real_icd, [unspecified], frozenset({"right"}))
    assert sided.code == "S93.491A" and sided.finding_id == "p1.c0.f3"
    assert sided.lanes == ["walk", Lane.SIDE]
    assert "beside S93.499A" in sided.via and "right ankle" in sided.description
