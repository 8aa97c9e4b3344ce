import pytest

from icd_resources.alphabetic_index import parse_index
from icd_resources.models import IndexSource
from icd_resources.xrefs import XrefResolver, normalize
from tests.conftest import FIXTURE_RELEASE


@pytest.fixture(scope="module")
def entries():
    found = []
    for name, source in [
        ("mini-index.xml", IndexSource.INDEX),
        ("mini-substances.xml", IndexSource.DRUG),
        ("mini-tumours.xml", IndexSource.NEOPLASM),
    ]:
        found += parse_index(FIXTURE_RELEASE / name, source, len(found) + 1).entries
    return found


def path_of(entries, entry_id):
    return next(e.path for e in entries if e.id == entry_id)


def test_see_resolves_to_the_named_subterm(entries) -> None:
    res = XrefResolver(entries).resolve("Pain, abdominal", IndexSource.INDEX)
    assert res.exact and path_of(entries, res.entry_id) == "Pain, abdominal"


def test_titles_with_alternatives_match_by_any_part(entries) -> None:
    res = XrefResolver(entries).resolve("Neoplasm, abdomen, skin", IndexSource.NEOPLASM)
    assert res.exact
    assert path_of(entries, res.entry_id) == "Neoplasm, neoplastic, abdomen, abdominal, skin"


def test_other_sources_are_searched(entries) -> None:
    res = XrefResolver(entries).resolve("Neoplasm, abdomen, wall", IndexSource.INDEX)
    assert res.exact and "wall" in path_of(entries, res.entry_id)


def test_partial_and_generic_targets_are_not_exact(entries) -> None:
    resolver = XrefResolver(entries)
    partial = resolver.resolve("Pain, thoracic", IndexSource.INDEX)
    assert not partial.exact and path_of(entries, partial.entry_id) == "Pain"
    generic = resolver.resolve("condition", IndexSource.INDEX)
    assert generic.entry_id is None and not generic.exact


def test_table_of_drugs_targets_go_to_the_drug_table(entries) -> None:
    res = XrefResolver(entries).resolve(
        "Table of Drugs and Chemicals, Penicillin", IndexSource.INDEX
    )
    assert res.exact and path_of(entries, res.entry_id) == "Penicillin"


def test_normalize_drops_modifiers_and_nec() -> None:
    assert normalize("Disease, kidney (chronic) NEC") == "disease, kidney"
