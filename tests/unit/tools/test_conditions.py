from tools.conditions import Rival, group_conditions


def _never(_a: str, _b: str) -> bool:
    return False


def test_rivals_of_one_mention_in_one_category_are_one_condition() -> None:
    rivals = [Rival("C50.412", "m1"), Rival("C50.912", "m1"), Rival("E11.9", "m2")]
    groups = group_conditions(rivals, _never)
    assert [g.codes for g in groups] == [("C50.412", "C50.912"), ("E11.9",)]
    assert groups[0].key == "C50.412"  # named by its best-ranked code


def test_codes_of_one_mention_are_rivals_across_categories() -> None:
    rivals = [Rival("R65.21", "shock"), Rival("R57.9", "shock"), Rival("R50.9", "fever")]
    groups = group_conditions(rivals, _never)
    assert [g.codes for g in groups] == [("R65.21", "R57.9"), ("R50.9",)]


def test_two_mentions_of_one_category_stay_two_conditions() -> None:
    # Two sites mentioned apart (a fracture of each ankle) are coded apart.
    groups = group_conditions([Rival("S82.51XA", "m1"), Rival("S82.52XA", "m2")], _never)
    assert [g.codes for g in groups] == [("S82.51XA",), ("S82.52XA",)]


def test_evidence_that_overlaps_in_the_note_is_one_condition_within_a_category() -> None:
    # "Current smoker, 1 ppd": F17.200 from the mention "smoker", F17.210 from the companion
    # rule that read the whole sentence; E11.22 and E11.40 from two complications stay two.
    rivals = [
        Rival("F17.200", "m4", ((120, 126),)),
        Rival("F17.210", "k1", ((112, 140),)),
        Rival("E11.22", "m1", ((10, 40),)),
        Rival("E11.40", "m2", ((45, 70),)),
        Rival("Z87.891", "k2", ((112, 140),)),  # another category: not a rival by overlap
    ]
    groups = group_conditions(rivals, _never)
    assert [g.codes for g in groups] == [
        ("F17.200", "F17.210"),
        ("E11.22",),
        ("E11.40",),
        ("Z87.891",),
    ]


def test_a_hit_with_no_mention_of_its_own_joins_its_category() -> None:
    rivals = [Rival("A41.01", "m1"), Rival("A41.9", ""), Rival("A41.51", "m2")]
    groups = group_conditions(rivals, _never)
    assert [g.codes for g in groups] == [("A41.01", "A41.9", "A41.51")]


def test_excludes1_links_rivals_across_categories_either_way() -> None:
    def excludes(a: str, b: str) -> bool:
        return (a, b) == ("R65.20", "R65.21")  # noted on one side only

    rivals = [Rival("R65.21", "m1"), Rival("I10", "m2"), Rival("R65.20", "m3")]
    groups = group_conditions(rivals, excludes)
    assert [g.codes for g in groups] == [("R65.21", "R65.20"), ("I10",)]


def test_rivalry_is_transitive_and_groups_keep_the_pool_order() -> None:
    def excludes(a: str, b: str) -> bool:
        return {a, b} == {"J44.1", "J45.909"}

    mentions = {"I10": "m1", "J45.909": "m2", "J44.9": "", "J44.1": "m3", "E11.9": "m4"}
    rivals = [Rival(code, mention) for code, mention in mentions.items()]
    groups = group_conditions(rivals, excludes)
    assert [g.codes for g in groups] == [("I10",), ("J45.909", "J44.9", "J44.1"), ("E11.9",)]


def test_the_same_words_written_twice_are_one_condition_unless_two_sides() -> None:
    # "AFib" in the HPI and again in the assessment: I48.0 or I48.91, not both.
    afib = [Rival("I48.91", "m3", ((54, 58),), "afib"), Rival("I48.0", "m6", ((99, 103),), "afib")]
    assert [g.codes for g in group_conditions(afib, _never)] == [("I48.91", "I48.0")]
    ankles = [
        Rival("S82.51XA", "m1", ((5, 13),), "fracture", "right"),
        Rival("S82.52XA", "m2", ((40, 48),), "fracture", "left"),
    ]
    assert len(group_conditions(ankles, _never)) == 2
    # "Colles fx" in the X-ray and "Colles fracture R radius" in the assessment: one fracture,
    # whether or not a code names its side.
    colles = [
        Rival("S52.531D", "m1", ((5, 13),), "fracture", "right"),
        Rival("S52.539A", "m2", ((40, 42),), "fracture", ""),
    ]
    assert [g.codes for g in group_conditions(colles, _never)] == [("S52.531D", "S52.539A")]
    # A code of unspecified side joins one side, never both: each ankle stays its condition.
    both = [*ankles, Rival("S82.509A", "m3", ((70, 78),), "fracture", "")]
    groups = [g.codes for g in group_conditions(both, _never)]
    assert len(groups) == 2 and all(len({"S82.51XA", "S82.52XA"} & set(g)) == 1 for g in groups)
