"""The clinical abbreviations a note uses for its diagnoses, and what they stand for.

US notes write "HTN, HLD, T2DM on metformin, AFib on apixaban": the Alphabetic Index has none
of these words, so neither the mention reader nor the index search reaches hypertension,
hyperlipidemia, diabetes or atrial fibrillation from them. A coder reads them as the words
they stand for. The table holds only abbreviations with one meaning in a diagnosis list
(not "PE", a pulmonary embolism or the physical exam; not "RA", rheumatoid arthritis or room
air; not "MS"); each is matched as written, case and all ("CAD", never "cad").
"""

from __future__ import annotations

import re
from functools import cache

ABBREVIATIONS: dict[str, str] = {
    # circulatory
    "HTN": "hypertension",
    "CAD": "coronary artery disease",
    "ASCVD": "atherosclerotic cardiovascular disease",
    "CHF": "congestive heart failure",
    "HFrEF": "heart failure with reduced ejection fraction",
    "HFpEF": "heart failure with preserved ejection fraction",
    "AFib": "atrial fibrillation",
    "Afib": "atrial fibrillation",
    "afib": "atrial fibrillation",
    "A-fib": "atrial fibrillation",
    "A-flutter": "atrial flutter",
    "NSTEMI": "non-ST elevation myocardial infarction",
    "STEMI": "ST elevation myocardial infarction",
    "MI": "myocardial infarction",
    "SVT": "supraventricular tachycardia",
    "DVT": "deep vein thrombosis",
    "PAD": "peripheral arterial disease",
    "PVD": "peripheral vascular disease",
    "TIA": "transient ischemic attack",
    "CVA": "cerebrovascular accident",
    "SAH": "subarachnoid hemorrhage",
    "ICH": "intracerebral hemorrhage",
    "SDH": "subdural hemorrhage",
    "LVH": "left ventricular hypertrophy",
    # endocrine and metabolic
    "DM": "diabetes mellitus",
    "T2DM": "type 2 diabetes mellitus",
    "DM2": "type 2 diabetes mellitus",
    "T1DM": "type 1 diabetes mellitus",
    "DM1": "type 1 diabetes mellitus",
    "NIDDM": "type 2 diabetes mellitus",
    "IDDM": "type 1 diabetes mellitus",
    "GDM": "gestational diabetes mellitus",
    "DKA": "diabetic ketoacidosis",
    "HLD": "hyperlipidemia",
    # respiratory
    "COPD": "chronic obstructive pulmonary disease",
    "OSA": "obstructive sleep apnea",
    "ARDS": "acute respiratory distress syndrome",
    "PNA": "pneumonia",
    "CAP": "community acquired pneumonia",
    "URI": "upper respiratory infection",
    "RSV": "respiratory syncytial virus",
    "SOB": "shortness of breath",
    # kidney and urinary
    "CKD": "chronic kidney disease",
    "ESRD": "end stage renal disease",
    "AKI": "acute kidney injury",
    "UTI": "urinary tract infection",
    "BPH": "benign prostatic hyperplasia",
    # digestive
    "GERD": "gastroesophageal reflux disease",
    "PUD": "peptic ulcer disease",
    "GIB": "gastrointestinal bleeding",
    "UGIB": "upper gastrointestinal bleeding",
    "LGIB": "lower gastrointestinal bleeding",
    "SBO": "small bowel obstruction",
    "NAFLD": "nonalcoholic fatty liver disease",
    "IBS": "irritable bowel syndrome",
    # infections
    "HCV": "hepatitis C",
    "HBV": "hepatitis B",
    "MRSA": "methicillin resistant Staphylococcus aureus infection",
    "AOM": "acute otitis media",
    # organisms, as the index names them ("Pneumonia, Hemophilus influenzae")
    "E. coli": "Escherichia coli",
    "H. influenzae": "Hemophilus influenzae",
    "H. pylori": "Helicobacter pylori",
    "S. aureus": "Staphylococcus aureus",
    "S. pneumoniae": "Streptococcus pneumoniae",
    "K. pneumoniae": "Klebsiella pneumoniae",
    "P. aeruginosa": "Pseudomonas aeruginosa",
    "C. difficile": "Clostridium difficile",
    "C. diff": "Clostridium difficile",
    # mental and behavioural
    "MDD": "major depressive disorder",
    "GAD": "generalized anxiety disorder",
    "PTSD": "post-traumatic stress disorder",
    "ADHD": "attention-deficit hyperactivity disorder",
    "OUD": "opioid use disorder",
    "AUD": "alcohol use disorder",
    # nervous system, musculoskeletal, injury
    "TBI": "traumatic brain injury",
    "LOC": "loss of consciousness",
    "AMS": "altered mental status",
    "MCI": "mild cognitive impairment",
    "Fx": "fracture",
    "fx": "fracture",
    "OA": "osteoarthritis",
    "DJD": "degenerative joint disease",
    "SLE": "systemic lupus erythematosus",
    "LBP": "low back pain",
    # other
    "BCC": "basal cell carcinoma",
    "SCC": "squamous cell carcinoma",
    "FTT": "failure to thrive",
}
"""Abbreviation as a note writes it -> the words it stands for."""


@cache
def _pattern() -> re.Pattern[str]:
    words = sorted(ABBREVIATIONS, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")


def expand(text: str) -> str:
    """Return the text with each abbreviation replaced by the words it stands for."""
    return _pattern().sub(lambda m: ABBREVIATIONS[m.group(0)], text)
