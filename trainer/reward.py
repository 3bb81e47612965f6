"""The paper's single-turn reward, r = 0.1 * format + 0.9 * correct action, exactly as lib/agent scores it.

The rule is procedural on purpose (notes/agent.md, "Parser and single-turn reward: the exact rule"):
JavaScript and Python regexes disagree on ^/$ under multiline, on ".", on "\\s" and on strip(), so
both sides spell out the same steps, split only on "\\n" and strip only ASCII whitespace. Both must
pass every case of data/reward_cases.jsonl (trainer/tests/test_reward.py, test/agent-reward.test.ts).

- format = 1 when the reply parses (a line-start "Reasoning:" with a non-empty reasoning, then a
  line-start "Action:" with a non-empty action) and the action is one of the state's valid actions;
- correct = 1 when the reply parses and the action is the expert's (or, for the "any optimal action"
  variant, one of `acceptable`).

TRL's GRPOTrainer gets the two parts as two reward functions with weights [0.1, 0.9], so it logs each
part (rewards/format/mean, rewards/action/mean) and their weighted sum is exactly this reward.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple, Sequence

WS = " \t\n\r\f\v"  # ASCII whitespace only
REASONING = "Reasoning:"
ACTION = "Action:"
FORMAT_WEIGHT = 0.1
ACTION_WEIGHT = 0.9


class Parsed(NamedTuple):
    reasoning: str | None
    action: str | None
    error: str | None  # None, "malformed_reasoning" or "malformed_action"


def _line_start_find(text: str, marker: str, start: int = 0) -> int:
    """First index >= start where `marker` begins a line (index 0 or just after a "\\n"), else -1."""
    i = text.find(marker, start)
    while i > 0 and text[i - 1] != "\n":
        i = text.find(marker, i + 1)
    return i


def parse_react(completion: str) -> Parsed:
    text = completion.replace("\r\n", "\n").replace("\r", "\n")
    r = _line_start_find(text, REASONING)
    if r < 0:
        return Parsed(None, None, "malformed_reasoning")
    after_r = r + len(REASONING)
    a = _line_start_find(text, ACTION, after_r)
    if a < 0:
        reasoning = text[after_r:].strip(WS)
        return Parsed(reasoning or None, None, "malformed_action" if reasoning else "malformed_reasoning")
    reasoning = text[after_r:a].strip(WS)
    if not reasoning:
        return Parsed(None, None, "malformed_reasoning")
    # Whitespace (newlines included) may separate "Action:" from the action; its first line counts.
    action = text[a + len(ACTION):].lstrip(WS).split("\n", 1)[0].strip(WS)
    if not action:
        return Parsed(reasoning, None, "malformed_action")
    return Parsed(reasoning, action, None)


class Score(NamedTuple):
    reward: float
    format: int
    correct: int
    action: str | None
    error: str | None  # also "invalid_action" when the reply parses but the action is not valid


def score_reply(completion: str, expert_action: str, valid_actions: Sequence[str], acceptable: Iterable[str] = ()) -> Score:
    parsed = parse_react(completion)
    if parsed.error:
        return Score(0.0, 0, 0, None, parsed.error)
    action = parsed.action
    fmt = 1 if action in valid_actions else 0
    correct = 1 if (action == expert_action or action in set(acceptable)) else 0
    return Score(FORMAT_WEIGHT * fmt + ACTION_WEIGHT * correct, fmt, correct, action, None if fmt else "invalid_action")


def single_turn_reward(completion: str, expert_action: str, valid_actions: Sequence[str], acceptable: Iterable[str] = ()) -> float:
    return score_reply(completion, expert_action, valid_actions, acceptable).reward


# ---- TRL reward functions: called with the batch's completions and the dataset's extra columns ----

def completion_text(completion) -> str:
    """A TRL completion is a string (standard data) or a list of messages (conversational data)."""
    if isinstance(completion, str):
        return completion
    return "".join(m.get("content", "") for m in completion if m.get("role") == "assistant")


def format_reward(completions, valid_actions, expert_action, **_) -> list[float]:
    """1 when the reply is well formed and its action is valid (weight 0.1)."""
    return [float(score_reply(completion_text(c), e, v).format) for c, e, v in zip(completions, expert_action, valid_actions)]


def action_reward(completions, valid_actions, expert_action, **_) -> list[float]:
    """1 when the reply's action is the expert's (weight 0.9): the single-turn accuracy."""
    return [float(score_reply(completion_text(c), e, v).correct) for c, e, v in zip(completions, expert_action, valid_actions)]


def any_optimal_action_reward(completions, valid_actions, expert_action, optimal_actions=None, **_) -> list[float]:
    """Variant: 1 when the action is any optimal first action of the state (rows need optimal_actions)."""
    if optimal_actions is None:
        raise ValueError('reward "any_optimal" needs an "optimal_actions" column in the dataset')
    return [
        float(score_reply(completion_text(c), e, v, o or ()).correct)
        for c, e, v, o in zip(completions, expert_action, valid_actions, optimal_actions)
    ]


def _named(name: str, fn):
    """TRL names each reward's logged metrics after the function: rewards/<name>/mean."""
    def part(*args, **kwargs):
        return fn(*args, **kwargs)
    part.__name__ = part.__qualname__ = name
    return part


def reward_functions(kind: str):
    """(functions, weights) for GRPOTrainer: the paper's reward ("expert") or the any-optimal variant."""
    actions = {"expert": action_reward, "any_optimal": any_optimal_action_reward}
    if kind not in actions:
        raise ValueError(f'reward must be "expert" or "any_optimal", got {kind!r}')
    return [_named("format", format_reward), _named("action", actions[kind])], [FORMAT_WEIGHT, ACTION_WEIGHT]
