"""When the bot answers outright, suggests, or declines: threshold, margin over the runner-up, suggestions."""

from __future__ import annotations

import pytest

from crm_store.errors import ConfigError
from knowledge_base.search import SearchHit, decide
from knowledge_base.settings import KnowledgeBaseSettings


def hit(slug: str, score: float) -> SearchHit:
    return SearchHit(slug, slug.title(), "answer", "general", score, score, 0.0, slug)


RULE = {"answer_threshold": 0.52, "answer_margin": 0.045, "suggest_threshold": 0.40, "suggestions": 3}


def test_a_clear_winner_is_answered_outright() -> None:
    outcome = decide([hit("refunds", 0.70), hit("returns", 0.60)], **RULE)
    assert outcome.verdict == "answer" and [h.slug for h in outcome.hits] == ["refunds"]


def test_two_close_candidates_become_suggestions_not_a_guess() -> None:
    outcome = decide([hit("refunds", 0.70), hit("returns", 0.68), hit("exchanges", 0.30)], **RULE)
    assert outcome.verdict == "suggest" and [h.slug for h in outcome.hits] == ["refunds", "returns"]


def test_a_lone_hit_above_the_threshold_is_answered() -> None:
    assert decide([hit("refunds", 0.53)], **RULE).verdict == "answer"


def test_below_both_thresholds_the_bot_declines() -> None:
    assert decide([hit("refunds", 0.39), hit("returns", 0.20)], **RULE).verdict == "none"
    assert decide([], **RULE).verdict == "none"


def test_no_margin_keeps_the_threshold_only_rule() -> None:
    assert decide([hit("refunds", 0.70), hit("returns", 0.69)], **{**RULE, "answer_margin": 0.0}).verdict == "answer"


def test_the_margin_is_a_setting_with_a_clear_error() -> None:
    assert KnowledgeBaseSettings.from_env({"KB_ANSWER_MARGIN": "0.1"}).answer_margin == 0.1
    with pytest.raises(ConfigError, match="KB_ANSWER_MARGIN"):
        KnowledgeBaseSettings.from_env({"KB_ANSWER_MARGIN": "-0.2"})


def test_a_clear_lead_the_article_head_doubts_becomes_a_suggestion() -> None:
    doubted = SearchHit("refunds", "Refunds", "answer", "general", 0.70, 0.70, 0.0, "refunds", confidence=0.10)
    trusted = SearchHit("refunds", "Refunds", "answer", "general", 0.70, 0.70, 0.0, "refunds", confidence=0.60)
    rule = {**RULE, "answer_confidence": 0.18}
    assert decide([doubted, hit("returns", 0.40)], **rule).verdict == "suggest"
    assert decide([trusted, hit("returns", 0.40)], **rule).verdict == "answer"


def test_a_question_asked_as_taught_is_answered_even_before_the_head_trusts_its_article() -> None:
    taught = SearchHit(
        "engraving", "Engraving", "answer", "general", 0.70, 0.70, 0.0, "q", confidence=0.05, question_similarity=0.99
    )
    assert decide([taught, hit("returns", 0.40)], **{**RULE, "answer_confidence": 0.18}).verdict == "answer"


def test_a_question_asked_as_taught_is_answered_even_when_its_neighbour_is_close() -> None:
    # Just taught: the head (part of the score) still favours the neighbour, so the lead is below the margin.
    taught = SearchHit(
        "gift-wrap", "Gift wrap", "answer", "general", 0.55, 0.60, 0.0, "q", confidence=0.05, question_similarity=0.98
    )
    assert decide([taught, hit("packaging", 0.54)], **RULE).verdict == "answer"
    asked_otherwise = SearchHit(
        "gift-wrap", "Gift wrap", "answer", "general", 0.55, 0.60, 0.0, "q", confidence=0.05, question_similarity=0.90
    )
    assert decide([asked_otherwise, hit("packaging", 0.54)], **RULE).verdict == "suggest"
