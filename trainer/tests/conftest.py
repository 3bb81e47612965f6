"""Shared fixtures: a few contract-shaped rows and the tiny model built from them (once per session)."""

import json

import pytest

VALID = ["Move robot1 from table1 to table2", "Pick up bottombun1 from table1 using robot1", "Do nothing"]


def make_rows(n: int = 6) -> list[dict]:
    rows = []
    for t in range(n):
        expert = VALID[t % 2]
        rows.append({
            "prompt": [
                {"role": "system", "content": "You control a robot in a text kitchen game."},
                {"role": "user", "content": f"Station table1:\ntable1 is a table\n\nValid Actions:\n" + "\n".join(VALID) + "\n\nGoal: Prepare a burger"},
            ],
            "completion": [{"role": "assistant", "content": f"Reasoning: step {t}.\nAction: {expert}"}],
            "expert_action": expert,
            "valid_actions": VALID,
            "task": "burger",
            "seed": None,
            "t": t,
            "optimal_actions": [expert],
        })
    return rows


@pytest.fixture
def rows_file(tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in make_rows()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    from trainer.tiny import TinySpec, build_tiny

    d = tmp_path_factory.mktemp("tiny")
    data = d / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in make_rows()), encoding="utf-8")
    return build_tiny(data, d / "model", TinySpec(vocab_size=512))
