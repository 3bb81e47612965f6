"""Metrics JSONL: field names, tokens/s, and the cut on resume."""

import json
from types import SimpleNamespace

from trainer.metrics import MetricsJsonl, truncate_after


def state(step, tokens=0):
    return SimpleNamespace(is_world_process_zero=True, global_step=step, epoch=step / 10, num_input_tokens_seen=tokens)


def test_grpo_logs_become_named_fields(tmp_path):
    path = tmp_path / "m.jsonl"
    cb = MetricsJsonl(path, "grpo")
    cb.on_log(None, state(1), None, logs={"loss": 0.01, "reward": 0.55, "rewards/format/mean": 1.0,
                                         "rewards/action/mean": 0.5, "kl": 0.002, "num_tokens": 1000.0, "entropy": float("nan")})
    cb.on_log(None, state(2), None, logs={"loss": 0.02, "reward": 0.6, "num_tokens": 3000.0})
    cb.on_log(None, state(2), None, logs={"train_runtime": 9.0, "train_loss": 0.015})
    a, b, s = [json.loads(l) for l in path.read_text().splitlines()]
    assert (a["kind"], a["stage"], a["step"], a["reward"], a["reward_format"], a["reward_action"], a["accuracy"], a["kl"]) == \
        ("step", "grpo", 1, 0.55, 1.0, 0.5, 0.5, 0.002)
    assert a["entropy"] is None and a["tokens"] == 1000.0 and "tokens_per_s" not in a
    assert b["tokens_per_s"] > 0
    assert s["kind"] == "summary" and s["trl"]["train_runtime"] == 9.0


def test_sft_token_accuracy_and_rank_zero_only(tmp_path):
    path = tmp_path / "m.jsonl"
    cb = MetricsJsonl(path, "sft")
    cb.on_log(None, state(1), None, logs={"loss": 2.0, "mean_token_accuracy": 0.4})
    cb.on_log(None, SimpleNamespace(is_world_process_zero=False, global_step=2), None, logs={"loss": 1.0})
    (rec,) = [json.loads(l) for l in path.read_text().splitlines()]
    assert rec["token_accuracy"] == 0.4 and "accuracy" not in rec


def test_resume_drops_what_was_logged_after_the_checkpoint(tmp_path):
    path = tmp_path / "m.jsonl"
    lines = [{"kind": "step", "step": s} for s in range(1, 8)] + [{"kind": "summary", "step": 7}]
    path.write_text("".join(json.dumps(l) + "\n" for l in lines) + '{"kind": "st')
    assert truncate_after(path, 4) == 5
    assert [json.loads(l)["step"] for l in path.read_text().splitlines()] == [1, 2, 3, 4]
    assert truncate_after(tmp_path / "none.jsonl", 3) == 0
