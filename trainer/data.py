"""The single-turn dataset (docs/design.md contract), as the TS side writes it (lib/expert/dataset.ts):

    {"prompt": [{role, content}…], "completion": [{"role": "assistant", "content": "Reasoning: …\\nAction: …"}],
     "expert_action", "valid_actions", "task", "seed", "t", "optimal_actions"?}

one JSON object per line. SFT reads prompt + completion (TRL's conversational prompt–completion form,
loss on the completion only); GRPO reads the prompt and scores samples against expert_action and
valid_actions (and optimal_actions for the any-optimal variant).
"""

from __future__ import annotations

import json
from pathlib import Path


class TrainerError(Exception):
    """A mistake the user can fix; `python -m trainer` prints it as one line and exits 1."""


def read_jsonl(path: str | Path) -> list[dict]:
    """JSONL records; a torn last line (a killed writer) is ignored, any other bad line is an error.

    Lines are split on "\\n" only: str.splitlines() would also split on U+2028 and friends, which
    are legal inside JSON strings (and appear in the reward cases)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as e:
        raise TrainerError(f"cannot read {path}: {e.strerror or e}") from None
    out = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            if all(not rest.strip() for rest in lines[i + 1:]):
                break
            raise TrainerError(f"{path}:{i + 1} is not valid JSON: {e.msg}") from None
    return out


def check_row(row: dict, where: str) -> None:
    """The contract fields, with a one-line error naming the line and the field."""
    if not isinstance(row, dict):
        raise TrainerError(f"{where}: not a JSON object")
    prompt = row.get("prompt")
    if not isinstance(prompt, list) or not prompt or any(
        not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant") or not isinstance(m.get("content"), str)
        for m in prompt
    ):
        raise TrainerError(f'{where}: "prompt" must be a non-empty list of {{role, content}} messages')
    if prompt[-1]["role"] != "user":
        raise TrainerError(f"{where}: the last prompt message must be the user's observation")
    completion = row.get("completion")
    if not (isinstance(completion, list) and len(completion) == 1 and completion[0].get("role") == "assistant"
            and isinstance(completion[0].get("content"), str)):
        raise TrainerError(f'{where}: "completion" must be one assistant message')
    valid = row.get("valid_actions")
    if not isinstance(valid, list) or not all(isinstance(a, str) for a in valid) or row.get("expert_action") not in valid:
        raise TrainerError(f'{where}: "expert_action" must be one of "valid_actions"')


def read_rows(path: str | Path) -> list[dict]:
    rows = read_jsonl(path)
    if not rows:
        raise TrainerError(f"{path} has no rows")
    for i, row in enumerate(rows):
        check_row(row, f"{path}:{i + 1}")
    return rows


def sft_dataset(path: str | Path):
    """prompt + completion only: TRL's SFTTrainer trains on the completion tokens of this form."""
    from datasets import Dataset

    rows = read_rows(path)
    return Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])


def grpo_dataset(path: str | Path, reward: str = "expert"):
    """prompt + the columns the reward reads (TRL passes extra columns to reward functions)."""
    from datasets import Dataset

    rows = read_rows(path)
    keep = ["prompt", "expert_action", "valid_actions"]
    if reward == "any_optimal":
        missing = [i + 1 for i, r in enumerate(rows) if not r.get("optimal_actions")]
        if missing:
            raise TrainerError(f'reward "any_optimal" needs "optimal_actions" in every row; {path}:{missing[0]} has none')
        keep.append("optimal_actions")
    return Dataset.from_list([{k: r[k] for k in keep} for r in rows])
