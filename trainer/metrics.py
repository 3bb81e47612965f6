"""Training metrics as JSONL, one line per TRL log event, appended and fsynced as they happen, so a
notebook (lib/trainer-client's `followMetrics`) can plot them live and a killed run loses nothing logged.

Each line: {"kind": "step"|"summary", "stage", "step", "epoch", "time", "elapsed_s", "loss",
"learning_rate", "grad_norm", "tokens", "tokens_per_s", …stage fields…, "trl": {the raw TRL log}}.

- SFT adds `token_accuracy` (TRL's mean_token_accuracy on the completion tokens) and `entropy`.
- GRPO adds `reward` (the single-turn reward, 0.1·format + 0.9·action), `reward_std`,
  `reward_format` and `reward_action` (its two parts' means), `accuracy` (= reward_action: the
  fraction of sampled completions whose action is the expert's), `kl` (TRL's k3 estimate against the
  reference model), `entropy` and `completion_length`.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

RENAMES = {
    "loss": "loss",
    "learning_rate": "learning_rate",
    "grad_norm": "grad_norm",
    "mean_token_accuracy": "token_accuracy",
    "entropy": "entropy",
    "reward": "reward",
    "reward_std": "reward_std",
    "rewards/format/mean": "reward_format",
    "rewards/action/mean": "reward_action",
    "kl": "kl",
    "completions/mean_length": "completion_length",
    "frac_reward_zero_std": "frac_reward_zero_std",
}


def _clean(v):
    """JSON has no NaN/Infinity: write them as null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def append_jsonl(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def truncate_after(path: Path, step: int) -> int:
    """On resume from checkpoint-`step`: drop the lines the interrupted run logged after it (they
    will be logged again) and a torn last line. Returns how many lines were dropped."""
    if not path.exists():
        return 0
    lines = path.read_text(encoding="utf-8").split("\n")
    kept, dropped = [], 0
    for line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            dropped += 1
            continue
        if rec.get("step", 0) > step or rec.get("kind") == "summary":
            dropped += 1
        else:
            kept.append(line)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
    os.replace(tmp, path)
    return dropped


class MetricsJsonl:
    """The logging logic; `metrics_callback` makes it a transformers TrainerCallback (imported late,
    so that commands that train nothing — a finished run, `reward` — start without transformers)."""

    def __init__(self, path: str | Path, stage: str):
        self.path = Path(path)
        self.stage = stage
        self.start = time.time()
        self.last_tokens: tuple[float, float] | None = None  # (time, tokens) at the previous log

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        now = time.time()
        summary = "train_runtime" in logs
        rec = {"kind": "summary" if summary else "step", "stage": self.stage, "step": state.global_step,
               "epoch": _clean(state.epoch), "time": round(now, 3), "elapsed_s": round(now - self.start, 3)}
        for src, dst in RENAMES.items():
            if src in logs:
                rec[dst] = _clean(logs[src])
        if "reward_action" in rec:
            rec["accuracy"] = rec["reward_action"]
        tokens = logs.get("num_tokens", state.num_input_tokens_seen or None)
        if tokens:
            rec["tokens"] = tokens
            if self.last_tokens and now > self.last_tokens[0]:
                rec["tokens_per_s"] = round((tokens - self.last_tokens[1]) / (now - self.last_tokens[0]), 2)
            self.last_tokens = (now, tokens)
        rec["trl"] = {k: _clean(v) for k, v in logs.items() if isinstance(v, (int, float, str, bool)) or v is None}
        append_jsonl(self.path, rec)


def metrics_callback(path: str | Path, stage: str):
    from transformers import TrainerCallback

    class Callback(MetricsJsonl, TrainerCallback):
        pass

    return Callback(path, stage)
