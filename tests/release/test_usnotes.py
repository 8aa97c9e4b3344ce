"""The packaged US-style notes pass their checker on the real release."""

from __future__ import annotations

import pytest

from evals.datasets import USNOTES
from evals.usnotes import check_rows, read_rows
from icd_resources import IcdResources

pytestmark = pytest.mark.release


def test_every_packaged_note_passes_the_checker(real_icd: IcdResources) -> None:
    rows, unreadable = read_rows(USNOTES)
    assert not unreadable
    assert len(rows) >= 40
    assert check_rows(real_icd, rows) == []
