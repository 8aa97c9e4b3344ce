"""Guideline packing: a section that does not fit is skipped, the ones after it still come."""

from tools.guideline_fetch import pack_sections


def test_a_long_section_does_not_stop_the_shorter_ones_after_it() -> None:
    assert pack_sections(["a" * 10, "b" * 100, "c" * 10], 30) == "a" * 10 + "\n\n" + "c" * 10


def test_nothing_fits_cuts_the_first() -> None:
    assert pack_sections(["a" * 50, "b" * 60], 20) == "a" * 20
    assert pack_sections([], 20) == ""
