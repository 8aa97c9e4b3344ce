"""Sides as notes write them: abbreviated, and never a volume in liters."""

from __future__ import annotations

from tools.code_cues import NoteCues, described_sides, spelled_sides
from tools.sides import stated_sides


def test_abbreviated_sides_are_spelled_out_and_liters_are_not_a_side() -> None:
    assert spelled_sides("s/p L lumpectomy; Rt. knee; lt ankle") == (
        "s/p left lumpectomy; right knee; left ankle"
    )
    for liters in ["2 L via NC", "5 L of fluid", "1 L bolus"]:
        assert spelled_sides(liters) == liters
    assert stated_sides("IDC of the L breast") == {"left"}
    assert "left" in NoteCues.read("IDC of the L breast").words


def test_the_sides_a_description_names() -> None:
    assert described_sides("Malignant neoplasm of upper-outer quadrant of left female breast") == {
        "left"
    }
    assert described_sides("Age-related nuclear cataract, bilateral") == {"bilateral"}
    assert described_sides("Essential (primary) hypertension") == frozenset()
