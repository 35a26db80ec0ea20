"""bench kb-calibrate: the rates of a rule, and choosing the rule within the limits on training folds only."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.kb_calibrate as kb_calibrate
from bench.kb_calibrate import (
    Sample,
    chinese_out_of_scope,
    choose,
    choose_suggest,
    cross_validate,
    cross_validate_suggest,
    rates,
    suggesting,
)

# Right answers lead clearly; wrong ones win by a hair; out-of-scope questions score low.
SAMPLES = (
    [Sample(0.70, 0.20, True, 0.9)] * 60
    + [Sample(0.60, 0.01, False, 0.5)] * 10
    + [Sample(0.45, 0.10, True, 0.8)] * 10
    + [Sample(0.42, 0.20, None, 0.3)] * 20
)
# The head tells apart what score and margin cannot: wrong answers that lead clearly, but with low confidence.
CLEAR_BUT_WRONG = [Sample(0.70, 0.20, True, 0.9)] * 60 + [Sample(0.70, 0.20, False, 0.2)] * 10


def test_rates_of_a_rule() -> None:
    r = rates(SAMPLES, (0.50, 0.0, 0.0, 0.0))
    assert (round(r.right, 3), round(r.wrong, 3), r.declined) == (0.75, 0.125, 1.0)


def test_the_margin_removes_the_close_wrong_answers() -> None:
    threshold, margin, _, _ = choose(SAMPLES, max_wrong=0.02, min_declined=0.95, head=False)
    chosen = rates(SAMPLES, (threshold, margin, 0.0, 0.0))
    assert chosen.wrong == 0.0 and chosen.declined >= 0.95
    assert chosen.right >= 0.75, "the clear right answers stay outright"
    assert 0.01 < margin <= 0.10


def test_the_head_confidence_removes_clear_but_unlikely_answers() -> None:
    without = rates(CLEAR_BUT_WRONG, choose(CLEAR_BUT_WRONG, max_wrong=0.02, min_declined=0.0, head=False))
    rule = choose(CLEAR_BUT_WRONG, max_wrong=0.02, min_declined=0.0)
    assert 0.2 < rule[2] <= 0.9
    assert (without.right, rates(CLEAR_BUT_WRONG, rule).right) == (0.0, 60 / 70)


def test_cross_validation_scores_each_fold_with_a_rule_chosen_without_it() -> None:
    validated = cross_validate(SAMPLES, folds=5, seed=1, max_wrong=0.02, min_declined=0.95)
    assert validated.wrong <= 0.02 and validated.right > 0.7


def test_the_suggest_threshold_keeps_coverage_and_offers_out_of_scope_questions_less() -> None:
    samples = (
        [Sample(0.70, 0.20, True, right_score=0.70)] * 60
        + [Sample(0.50, 0.01, False, right_score=0.45)] * 10  # right article second, at 0.45
        + [Sample(0.40, 0.01, False, right_score=None)]
        * 5  # right article not in the top three: no threshold covers it
        + [Sample(0.38, 0.20, None)] * 20
    )
    threshold = choose_suggest(samples, slack=0.0, ceiling=0.55)
    assert 0.38 < threshold <= 0.45
    chosen = suggesting(samples, threshold)
    assert chosen.covered == 70 / 75 and chosen.quiet == 1.0
    validated = cross_validate_suggest(samples, folds=5, seed=1, slack=0.0, ceiling=0.55)
    assert validated.quiet == 1.0 and validated.covered > 0.9


def test_unfamiliar_words_raise_the_bar_for_near_misses() -> None:
    # Out-of-scope questions score like in-scope ones but carry words no article has.
    samples = [Sample(0.60, 0.10, True, 0.9, 0.0)] * 50 + [Sample(0.60, 0.10, None, 0.9, 0.6)] * 50
    rule = choose(samples, max_wrong=0.02, min_declined=0.95)
    assert rule[3] > 0 and rates(samples, rule).right == 1.0 and rates(samples, rule).declined == 1.0


def test_chinese_out_of_scope_takes_the_nlu_examples_and_the_near_misses_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = chinese_out_of_scope()
    near_misses = kb_calibrate.load_questions(kb_calibrate.ZH_EVAL_FILE).out_of_scope
    assert len(near_misses) >= 100
    assert "今天天气怎么样" in questions, "an NLU out_of_scope example"
    assert set(near_misses) <= set(questions)
    assert len(questions) == len(set(questions))
    # A question in both sources is asked once.
    both = tmp_path / "search_eval_zh.yml"
    both.write_text('out_of_scope:\n  - "今天天气怎么样"\n  - "这个锅能用电磁炉吗"\n', encoding="utf-8")
    monkeypatch.setattr(kb_calibrate, "ZH_EVAL_FILE", both)
    merged = chinese_out_of_scope()
    assert merged.count("今天天气怎么样") == 1 and merged[-1] == "这个锅能用电磁炉吗"
