"""The index walk on the real release: where a main term's own code is no answer."""

from __future__ import annotations

from icd_resources import IcdResources, IndexSource
from tools.index_walk import IndexWalker


def _main_term(icd: IcdResources, title: str) -> int:
    return next(
        e.id for e in icd.index_entries(IndexSource.INDEX) if e.level == 0 and e.title == title
    )


def test_symptoms_alone_name_no_symptom(real_icd: IcdResources) -> None:
    walker = IndexWalker(real_icd)
    symptoms = _main_term(real_icd, "Symptoms NEC")
    assert walker.walk(symptoms, "No other symptoms; voiding symptoms improved.") == []
    menopausal = walker.walk(symptoms, "Menopausal symptoms, hot flashes.")
    assert [c.code for r in menopausal for c in r.entry.codes] == ["N95.1"]
    # Another main term's own code stays its answer when nothing more is stated.
    (cholestasis,) = walker.walk(_main_term(real_icd, "Cholestasis NEC"), "Cholestasis.")
    assert cholestasis.depth == 0 and cholestasis.entry.codes[0].code == "K83.1"


def test_a_sub_term_in_two_forms_is_reached_by_either(real_icd: IcdResources) -> None:
    walker = IndexWalker(real_icd)
    infarct = _main_term(real_icd, "Infarct, infarction")
    # "myocardium, myocardial": the note says one form, never both.
    found = walker.walk(infarct, "Acute myocardial infarction last year.")
    assert found[0].entry.title.startswith("myocardium, myocardial")
    assert "I21.9" in [c.code for c in found[0].entry.codes]


def test_a_modifier_walks_to_the_condition_it_names(real_icd: IcdResources) -> None:
    # "Cystic - see also condition": the sub-term is what the word modifies, right after it.
    walker = IndexWalker(real_icd)
    cystic = _main_term(real_icd, "Cystic")
    sentence = "Ultrasound: a cystic lesion in the left kidney."
    lesion = walker.walk(cystic, sentence, "cystic lesion in")
    assert "Q61.9" not in [c.code for r in lesion for c in r.entry.codes]
    named = walker.walk(cystic, "Bilateral cystic kidney on ultrasound.", "cystic kidney on")
    assert "Q61.9" in [c.code for r in named for c in r.entry.codes]
    # Without the words it names (another caller), the sentence decides as before.
    assert "Q61.9" in [c.code for r in walker.walk(cystic, sentence) for c in r.entry.codes]


def test_a_see_reference_walks_on_down_its_target(real_icd: IcdResources) -> None:
    # OCG I.A.16: "Smoker - see Dependence, drug, nicotine"; "cigarettes" is a sub-term there.
    walker = IndexWalker(real_icd)
    smoker = _main_term(real_icd, "Smoker")
    found = walker.walk(smoker, "A smoker of a pack of cigarettes a day.")
    codes = [c.code for r in found for c in r.entry.codes]
    assert codes[0] == "F17.210"
    assert found[-1].entry.title == "Smoker"  # the referring entry stays, as the default
    # With no sub-term of the target in the sentence, the reference's own codes decide.
    assert [r.entry.title for r in walker.walk(smoker, "He is a smoker.")] == ["Smoker"]
    # A main term's whole tree is not read with the sentence's other words: "Labor - see
    # Delivery" finds no "Delivery, spontaneous" (O80) from "spontaneous labor".
    labor = _main_term(real_icd, "Labor")
    assert [r.entry.title for r in walker.walk(labor, "Spontaneous labor at term.")] == ["Labor"]
