"""The review page: the note with its evidence marked, every code, escaped text."""

from __future__ import annotations

from graph.review_page import (
    CONFIDENT,
    FOLD,
    also_considered,
    code_groups,
    needs_review,
    note_segments,
    render_review_page,
)

NOTE = "Essential hypertension. <script>alert('x')</script> Type 2 diabetes with CKD stage 3a."


def _span(text: str) -> dict:
    start = NOTE.index(text)
    return {"text": text, "start": start, "end": start + len(text)}


RESULT = {
    "note_id": "n<1>",
    "passes": 1,
    "codes": [
        {
            "rank": 1,
            "code": "I12.9",
            "description": "Hypertensive chronic kidney disease with stage 1-4 CKD",
            "evidence": [_span("Essential hypertension"), _span("CKD stage 3a")],
            "findings": [],
            "index_paths": ["Hypertension, kidney I12.9 (via index)"],
            "tabular_notes": ["Use additional code: stage (N18.1-N18.4, N18.9)"],
            "rationale": "<b>because</b>",
        },
        {
            "rank": 2,
            "code": "E11.22",
            "description": "Type 2 diabetes mellitus with diabetic chronic kidney disease",
            "evidence": [_span("Type 2 diabetes with CKD stage 3a")],
            "findings": [],
            "index_paths": [],
            "tabular_notes": [],
            "rationale": "",
        },
    ],
    "checks": [
        {
            "rule": "Combination code (OCG I.A.15)",
            "codes": ["I10", "I12.9"],
            "action": "replaced I10 with I12.9",
            "detail": "",
        }
    ],
    "failures": [
        {
            "agent": "index_navigator",
            "scope": "f1",
            "reason": "no answer",
            "last_reply": "",
            "recovered": False,
        }
    ],
    "rejected": [{"step": "tabular_validator", "item": "I10", "reason": "<i>not</i> selected"}],
}


def test_segments_know_the_codes_that_cite_them() -> None:
    segments = note_segments(NOTE, RESULT["codes"])
    assert "".join(s.text for s in segments) == NOTE
    overlap = next(s for s in segments if s.text == "CKD stage 3a")
    assert overlap.codes == ["I12.9", "E11.22"]
    assert next(s for s in segments if "script" in s.text).codes == []


def test_the_page_escapes_what_the_note_and_the_model_wrote() -> None:
    page = render_review_page(RESULT, NOTE)
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<b>because</b>" not in page and "&lt;i&gt;not&lt;/i&gt;" in page
    assert 'data-code="I12.9"' in page and 'data-codes="I12.9 E11.22"' in page
    assert "replaced I10 with I12.9" in page and "no answer" in page
    assert "http" not in page.replace("http-equiv", "")  # no CDN, nothing fetched


def _why(rank: int) -> str:
    return f"not verified: ranked {rank} in the pool"


# A result as the finalize node writes it: scores, conditions, rivals and the ranked rest.
DECIDED = {
    **RESULT,
    "codes": [
        {
            **RESULT["codes"][0],
            "score": 0.91,
            "condition": "I10",
            "alternatives": ["I10", "I13.10"],
        },
        {
            **RESULT["codes"][1],
            "score": 0.38,
            "condition": "E11.22",
            "alternatives": ["E11.9", "E11.65"],
        },
    ],
    "considered": [
        {
            "code": "I10",
            "description": "Essential (primary) hypertension",
            "score": 0.62,
            "choice": 0.21,
            "condition": "I10",
            "why": "a rival of I12.9, chosen instead: P = 0.21 against 0.74",
        },
        {
            "code": "E11.9",
            "description": "Type 2 diabetes mellitus without complications",
            "score": 0.33,
            "choice": 0.30,
            "condition": "E11.22",
            "why": "set aside: the note documents <CKD>",
        },
        {
            "code": "N18.31",
            "description": "Chronic kidney disease, stage 3a",
            "score": 0.12,
            "choice": None,
            "condition": "N18.30",
            "why": "removed by Excludes1 (OCG I.A.12.a)",
        },
        *[
            {
                "code": f"Z00.{rank:02d}",
                "description": f"Pool code {rank}",
                "score": None,
                "choice": None,
                "condition": "",
                "why": _why(rank),
            }
            for rank in range(1, 23)
        ],
    ],
}
DECIDED["ranking"] = ["I12.9", "E11.22"] + [c["code"] for c in DECIDED["considered"]]


def test_codes_are_grouped_by_condition_with_their_described_rivals() -> None:
    groups = code_groups(DECIDED)
    assert [(g.condition, [c.code["code"] for c in g.cards]) for g in groups] == [
        ("I10", ["I12.9"]),
        ("E11.22", ["E11.22"]),
    ]
    rivals = groups[0].cards[0].alternatives
    assert [(o.code, o.description, o.score, o.choice) for o in rivals] == [
        ("I10", "Essential (primary) hypertension", 0.62, 0.21),
        ("I13.10", "", None, None),  # a rival the result does not describe is still offered
    ]
    assert rivals[0].why.startswith("a rival of I12.9")


def test_two_final_codes_of_one_condition_share_a_group_and_never_swap_into_each_other() -> None:
    codes = [
        {**DECIDED["codes"][0], "condition": "X", "alternatives": ["E11.22", "I10"]},
        {**DECIDED["codes"][1], "condition": "X", "alternatives": ["I12.9"]},
    ]
    groups = code_groups({**DECIDED, "codes": codes})
    assert len(groups) == 1 and len(groups[0].cards) == 2
    assert [o.code for o in groups[0].cards[0].alternatives] == ["I10"]
    assert groups[0].cards[1].alternatives == []


def test_only_confident_codes_start_accepted() -> None:
    assert not needs_review({"code": "A", "score": CONFIDENT})
    assert needs_review({"code": "A", "score": CONFIDENT - 0.01})
    assert needs_review({"code": "A", "score": None})
    assert not needs_review({"code": "A"})  # a result from before scores: as it was
    page = render_review_page(DECIDED, NOTE)
    low = page[page.index('<article class="code review" data-code="E11.22"') :]
    low = low[: low.index("</article>")]
    assert ">review</span>" in low and 'value="accept">' in low and "checked" not in low
    high = page[page.index('data-code="I12.9"') :]
    assert 'name="d-I12.9" value="accept" checked' in high[: high.index("</article>")]


def test_also_considered_lists_the_rest_once_with_why_and_folds_after_twenty() -> None:
    rest = also_considered(DECIDED, code_groups(DECIDED))
    # I10 and E11.9 are offered as rivals on their code's card, not again below.
    assert [o.code for o in rest][:2] == ["N18.31", "Z00.01"] and len(rest) == 23
    page = render_review_page(DECIDED, NOTE)
    assert page.count('class="add"') == 23 and page.count("hidden data-folded>") == 23 - FOLD
    assert "swap to I10" in page and "swap to I13.10" in page and "swap to E11.9" in page
    assert "removed by Excludes1 (OCG I.A.12.a)" in page and _why(22) in page
    assert "set aside: the note documents &lt;CKD&gt;" in page and "<CKD>" not in page
    assert "show all 23" in page and "P(yes) 0.91" in page and "not scored" in page


def test_a_result_without_the_decision_keys_renders_as_before() -> None:
    page = render_review_page(RESULT, NOTE)
    assert "review" not in page.split("<body>")[1].split("<script")[0].replace("clh review", "")
    assert 'name="d-E11.22" value="accept" checked' in page
    assert "swap to" not in page and "Also considered" not in page and 'class="score"' not in page
