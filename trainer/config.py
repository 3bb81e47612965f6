"""Run configs: one YAML (or JSON, which is YAML) file per stage, e.g. trainer/configs/paper-grpo.yaml.

    stage: grpo                       # sft | grpo
    model: results/paper/trainer/burger/sft/final   # hub id, local directory, or "tiny" (tests)
    dataset: results/paper/expert/burger/train.jsonl
    output_dir: results/paper/trainer/burger/grpo
    reward: expert                    # grpo: expert | any_optimal
    batch: {prompts_per_step: 256}    # the paper's batch in its own unit (see batch_mapping)
    trl: {…}                          # SFTConfig / GRPOConfig fields, passed as they are
    open: {field: why}                # values the paper leaves open, each set in trl: and said why
    tiny: {…}                         # model "tiny" only: trainer.tiny.TinySpec fields
    keep_checkpoints: false           # delete checkpoint-*/ once final/ and done.json are written

`python -m trainer STAGE --config FILE --set trl.max_steps=4 --set output_dir=/tmp/x` overrides any
dotted key; values are YAML (`--set trl.bf16=false`).
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Any

import yaml

from .data import TrainerError

STAGES = ("sft", "grpo")
TOP_KEYS = {"stage", "model", "dataset", "output_dir", "reward", "batch", "trl", "open", "tiny", "keep_checkpoints"}
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)$")


def _numbers(value: Any) -> Any:
    """YAML 1.1 (PyYAML) reads `1e-6` as a string; read such strings as the numbers they are."""
    if isinstance(value, str) and _FLOAT.match(value):
        return float(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def load_config(path: str | Path, overrides: list[str] = (), stage: str | None = None) -> dict:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TrainerError(f"cannot read config {path}: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise TrainerError(f"config {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise TrainerError(f"config {path} must be a mapping")
    cfg = _numbers(copy.deepcopy(raw))
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise TrainerError(f"--set needs KEY=VALUE, got {item!r}")
        _set(cfg, key.split("."), _numbers(yaml.safe_load(text) if text else ""))
    if stage is not None:
        cfg.setdefault("stage", stage)
        if cfg["stage"] != stage:
            raise TrainerError(f"config {path} is for stage {cfg['stage']!r}, not {stage!r}")
    return check_config(cfg, str(path))


def _set(cfg: dict, keys: list[str], value: Any) -> None:
    for k in keys[:-1]:
        cfg = cfg.setdefault(k, {})
        if not isinstance(cfg, dict):
            raise TrainerError(f"--set {'.'.join(keys)}: {k} is not a mapping")
    cfg[keys[-1]] = value


def check_config(cfg: dict, where: str) -> dict:
    unknown = sorted(set(cfg) - TOP_KEYS)
    if unknown:
        raise TrainerError(f"config {where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(TOP_KEYS))})")
    if cfg.get("stage") not in STAGES:
        raise TrainerError(f"config {where}: stage must be one of {', '.join(STAGES)}")
    for key in ("model", "dataset", "output_dir"):
        if not isinstance(cfg.get(key), str) or not cfg[key]:
            raise TrainerError(f"config {where}: {key!r} must be a non-empty string")
    cfg.setdefault("trl", {})
    cfg.setdefault("batch", {})
    cfg.setdefault("open", {})
    for name in cfg["open"]:
        if name not in cfg["trl"]:
            raise TrainerError(f"config {where}: open value {name!r} is named but not set under trl:")
    if cfg["stage"] == "grpo":
        cfg.setdefault("reward", "expert")
        if cfg["reward"] not in ("expert", "any_optimal"):
            raise TrainerError(f"config {where}: reward must be expert or any_optimal, got {cfg['reward']!r}")
    return cfg


def batch_mapping(cfg: dict, world_size: int) -> dict:
    """The paper's batch, in its own unit, as TRL arguments (all other TRL batch knobs follow from it).

    TRL counts *completions*: an optimizer step consumes per_device_train_batch_size × world_size ×
    gradient_accumulation_steps of them. The paper ran verl, which counts *prompts*.

    - SFT, `examples_per_step` (paper: 8): one completion per prompt, so the two units agree; the
      gradient accumulation is whatever makes per-device × world × accumulation = 8.
    - GRPO, `prompts_per_step` (paper: 256): verl's data.train_batch_size is prompts, each sampled G
      times (G = trl.num_generations), so one step sees 256 × G completions. We set the accumulation
      so that an optimizer step consumes exactly 256 × G completions and steps_per_generation equal to
      it, i.e. one generation round of 256 prompts × G per optimizer step, used once
      (num_iterations = 1): on-policy, as in the paper's update (eq. 4–6, no clipping needed).
    """
    trl = cfg["trl"]
    per_device = int(trl.get("per_device_train_batch_size", 8))
    batch = cfg["batch"]
    if cfg["stage"] == "sft":
        if "examples_per_step" not in batch:
            return {}
        total = int(batch["examples_per_step"])
        unit = "examples"
    else:
        if "prompts_per_step" not in batch:
            return {}
        g = int(trl.get("num_generations", 8))
        total = int(batch["prompts_per_step"]) * g
        unit = f"completions ({batch['prompts_per_step']} prompts × G={g})"
    # per_device_train_batch_size is a memory knob: shrink it when the world alone covers the batch.
    if per_device * world_size > total and total % world_size == 0:
        per_device = total // world_size
    if total % (per_device * world_size):
        raise TrainerError(
            f"batch of {total} {unit} is not divisible by per_device_train_batch_size {per_device} × {world_size} processes"
        )
    accumulation = total // (per_device * world_size)
    mapped = {"per_device_train_batch_size": per_device, "gradient_accumulation_steps": accumulation}
    if cfg["stage"] == "grpo":
        mapped["steps_per_generation"] = accumulation
        mapped["num_iterations"] = int(trl.get("num_iterations", 1))
    for key in ("gradient_accumulation_steps", "steps_per_generation", "generation_batch_size"):
        if key in trl and trl[key] != mapped.get(key):
            raise TrainerError(f"trl.{key} = {trl[key]} contradicts batch: {batch}; set only one of them")
    return mapped


def optimizer_steps(cfg: dict, rows: int, world_size: int = 1) -> dict:
    """How many optimizer steps TRL 1.16 takes on `rows` dataset rows with this config: per epoch and in all.

    It follows TRL's own arithmetic (trainer/tests/test_steps.py compares it with the dataloader TRL
    builds and with a real run):

    - GRPO: TRL's RepeatSampler hands out generation rounds of generation_batch_size / G prompts
      (= `batch.prompts_per_step`) and **drops each epoch's incomplete round**, as verl's
      `drop_last=True` does; a round feeds steps_per_generation × num_iterations micro-batches.
      With the paper's mapping that is ⌊rows / 256⌋ optimizer steps per epoch.
    - SFT: transformers' dataloader of per_device_train_batch_size rows per process keeps the last
      partial batch unless `dataloader_drop_last` (the paper config sets it, as verl's SFT drops it).
    - transformers' Trainer then takes ⌈micro-batches / gradient_accumulation_steps⌉ optimizer steps
      per epoch (a last, short accumulation is a step) and ⌈num_train_epochs × that⌉ in all, unless
      `max_steps` > 0 says otherwise.

    Under `accelerate launch` every process sees the same number of micro-batches (the GRPO sampler is
    shared; the SFT shards are even), so the count does not change with the GPU count when the
    mapping keeps the global batch fixed. Fewer rows than one batch: a TrainerError (TRL refuses too).
    """
    if not isinstance(rows, int) or rows < 0:
        raise TrainerError(f"rows must be a non-negative integer, got {rows!r}")
    trl = {**cfg["trl"], **batch_mapping(cfg, world_size)}
    per_device = int(trl.get("per_device_train_batch_size", 8))
    accumulation = int(trl.get("gradient_accumulation_steps", 1))
    if cfg["stage"] == "grpo":
        g = int(trl.get("num_generations", 8))
        if trl.get("generation_batch_size"):
            steps_per_generation = int(trl["generation_batch_size"]) // (per_device * world_size)
        else:
            steps_per_generation = int(trl.get("steps_per_generation") or accumulation)
        batch = per_device * world_size * steps_per_generation // g  # prompts per generation round
        rounds = rows // batch  # RepeatSampler drops the incomplete round
        micro = rounds * steps_per_generation * int(trl.get("num_iterations", 1))
        unused = rows - rounds * batch
        unit = "prompts"
    else:
        batch = per_device * world_size
        drop_last = bool(trl.get("dataloader_drop_last", False))
        micro = rows // batch if drop_last else -(-rows // batch)
        unused = rows - micro * batch if drop_last else 0
        batch *= accumulation
        unit = "examples"
    if micro == 0:
        raise TrainerError(f"{rows} rows are fewer than one batch of {batch} {unit}: TRL would take no step")
    per_epoch = micro // accumulation + int(micro % accumulation > 0)
    epochs = float(trl.get("num_train_epochs", 3.0))
    max_steps = int(trl.get("max_steps", -1))
    steps = max_steps if max_steps > 0 else math.ceil(epochs * per_epoch)
    return {"stage": cfg["stage"], "rows": rows, "world_size": world_size, "unit": unit, "batch": batch,
            "steps_per_epoch": per_epoch, "epochs": epochs, "max_steps": max_steps, "steps": steps,
            "unused_rows_per_epoch": unused}


# TRL 1.16 defaults the paper configs leave as they are, with what each does to the paper's update. The
# README's Deviations and notes/trainer.md list the same; trainer/tests/test_trl_defaults.py checks every
# value against GRPOConfig/SFTConfig (and the advantage's ε against GRPOTrainer's source), so a TRL
# upgrade that moves one fails there. Everything else that differs from TRL is set in the configs.
KEPT_TRL_DEFAULTS = {
    "grpo": {
        # Reweights each completion's loss by π_trainer(seq)/π_vLLM(seq) and zeroes it above 3: no
        # counterpart in the paper (verl of its time had none).
        "vllm_importance_sampling_correction": True,
        "vllm_importance_sampling_mode": "sequence_mask",
        "vllm_importance_sampling_clip_max": 3.0,
        "vllm_importance_sampling_clip_min": None,
        # The PPO clip range (ε_high = ε): present but inactive, since num_iterations 1 and
        # steps_per_generation = gradient accumulation make the ratio to π_old 1 (the paper: no clipping).
        "epsilon": 0.2,
        "epsilon_high": None,
        "delta": None,
        "importance_sampling_level": "token",
        # Completions cut at max_completion_length are trained on like the others.
        "mask_truncated_completions": False,
        # 0.1·format + 0.9·action is summed, then normalised per group: the paper's one scalar reward.
        "multi_objective_aggregation": "sum_then_normalize",
        # A new order every epoch (so a different incomplete round is dropped each time).
        "shuffle_dataset": True,
        # Neutral sampling apart from temperature and top_p, which the config sets.
        "top_k": 0,
        "min_p": None,
        "repetition_penalty": 1.0,
        # π_ref stays the SFT model (the paper's fixed π_ref); no entropy bonus or token selection.
        "sync_ref_model": False,
        "entropy_coef": 0.0,
        "top_entropy_quantile": 1.0,
        "off_policy_mask_threshold": None,
        # Optimizer: AdamW with β = (0.9, 0.999), ε = 1e-8, no warmup.
        "adam_beta1": 0.9,
        "adam_beta2": 0.999,
        "adam_epsilon": 1e-8,
        "warmup_steps": 0,
    },
    "sft": {
        "adam_beta1": 0.9,
        "adam_epsilon": 1e-8,
        "packing": False,
        "loss_type": "nll",
    },
}

# The group-normalised advantage in GRPOTrainer (not a config field): (r − mean) / (std + 1e-4), with the
# unbiased (n − 1) standard deviation. The paper's eq. 5 divides by sqrt(Var) with no ε; verl adds 1e-6.
TRL_ADVANTAGE_EPSILON = 1e-4
