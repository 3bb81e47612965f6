"""The Python reward against the shared vectors (data/reward_cases.jsonl), the same file the TS tests use."""

import json
from pathlib import Path

import pytest

from trainer.reward import action_reward, format_reward, parse_react, reward_functions, score_reply, single_turn_reward

CASES = [json.loads(line) for line in (Path(__file__).resolve().parents[2] / "data" / "reward_cases.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]  # not splitlines(): cases hold U+2028


def test_there_are_cases():
    assert len(CASES) >= 69


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_reward_case(case):
    got = single_turn_reward(case["completion"], case["expert_action"], case["valid_actions"], case.get("acceptable", ()))
    assert got == pytest.approx(case["reward"], abs=1e-12)


def test_parts_and_errors():
    valid = ["Pick up bottombun1 from table1 using robot1", "Do nothing"]
    expert = valid[0]
    assert score_reply(f"Reasoning: base first.\nAction: {expert}", expert, valid)[:3] == (1.0, 1, 1)
    assert score_reply("Reasoning: wait.\nAction: Do nothing", expert, valid)[:3] == (pytest.approx(0.1), 1, 0)
    assert score_reply("Reasoning: x\nAction: Fly away", expert, valid).error == "invalid_action"
    assert parse_react("Action: Do nothing").error == "malformed_reasoning"
    assert parse_react("Reasoning: only thinking").error == "malformed_action"
    assert parse_react("Reasoning: a\r\nAction:\n\n  Do nothing  \nmore").action == "Do nothing"


def test_trl_reward_functions_weight_to_the_single_turn_reward():
    valid = ["A b", "C d"]
    completions = [
        [{"role": "assistant", "content": "Reasoning: r\nAction: A b"}],
        [{"role": "assistant", "content": "Reasoning: r\nAction: C d"}],
        [{"role": "assistant", "content": "Action: A b"}],
        "Reasoning: r\nAction: A b",  # standard (non-conversational) completions are plain strings
    ]
    kw = dict(completions=completions, valid_actions=[valid] * 4, expert_action=["A b"] * 4)
    funcs, weights = reward_functions("expert")
    assert [f.__name__ for f in funcs] == ["format", "action"] and weights == [0.1, 0.9]
    total = [weights[0] * f + weights[1] * a for f, a in zip(format_reward(**kw), action_reward(**kw))]
    assert total == pytest.approx([1.0, 0.1, 0.0, 1.0])


def test_any_optimal_variant_accepts_every_optimal_action_and_needs_the_column():
    funcs, _ = reward_functions("any_optimal")
    kw = dict(completions=["Reasoning: r\nAction: C d"], valid_actions=[["A b", "C d"]], expert_action=["A b"])
    assert funcs[1](**kw, optimal_actions=[["A b", "C d"]]) == [1.0]
    with pytest.raises(ValueError, match="optimal_actions"):
        funcs[1](**kw)
    with pytest.raises(ValueError, match="expert"):
        reward_functions("nope")
