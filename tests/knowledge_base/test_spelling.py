from knowledge_base.spelling import SpellingCorrector, edits1

corrector = SpellingCorrector(
    {"shipping": 9, "refund": 5, "receive": 2, "review": 1}, ["the", "receive", "weather", "netflix"]
)


def test_known_words_are_left_alone() -> None:
    assert corrector.correct("The weather in Spain") == "The weather in Spain"


def test_domain_words_win_over_general_ones() -> None:
    assert corrector.correct("refnd and shiping") == "refund and shipping"
    assert corrector.correct("recieve my reveiw") == "receive my review"


def test_words_with_no_close_match_are_kept() -> None:
    assert corrector.correct("xylophonist zzzz abc") == "xylophonist zzzz abc"


def test_edits_cover_swaps_inserts_deletes_and_replacements() -> None:
    edits = edits1("form")
    assert {"from", "forms", "fom", "farm"} <= edits
