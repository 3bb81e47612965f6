"""SFT and GRPO runs with TRL, resumable: `python -m trainer sft|grpo --config FILE`.

A run directory (`output_dir`) holds:
    config.json      the resolved config (ours + every TRL argument), written before training
    metrics.jsonl    one line per log event (trainer/metrics.py)
    checkpoint-N/    TRL/transformers checkpoints (model, optimizer, scheduler, RNG, trainer_state.json)
    final/           the trained model and tokenizer (what `serve` and the next stage load)
    done.json        written last: {"stage", "final", "steps", …}; a finished run is not run again

Rerunning the same command after an interruption resumes from the newest complete checkpoint
(one with trainer_state.json, which is written last) and first drops the metrics lines logged
after it, so metrics.jsonl reads as one uninterrupted run.

On stdout the run prints one JSON event per line ({"event": "start"|"resume"|"done", …}) for the
TS client; TRL's own logging goes to stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from .config import batch_mapping
from .data import TrainerError, grpo_dataset, sft_dataset
from .metrics import metrics_callback, truncate_after


def is_main_process() -> bool:
    """Under `accelerate launch` every GPU runs this file; only rank 0 speaks and writes run files."""
    return int(os.environ.get("RANK", "0")) == 0


def event(name: str, **fields) -> None:
    if is_main_process():
        print(json.dumps({"event": name, **fields}), flush=True)


def write_json(path: Path, value) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(value, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def latest_checkpoint(out: Path) -> Path | None:
    done = [p for p in out.glob("checkpoint-*") if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").exists()]
    return max(done, key=lambda p: int(p.name.split("-")[-1]), default=None)


def resolve_model(cfg: dict, out: Path) -> str:
    """A hub id or a local directory as given; "tiny" builds the tests' random model once, in out/base."""
    if cfg["model"] != "tiny":
        return cfg["model"]
    from .tiny import TinySpec, build_tiny

    base = out / "base"
    if not (base / "config.json").exists():
        build_tiny(cfg["dataset"], base, TinySpec(**cfg.get("tiny", {})))
    return str(base)


def trl_arguments(cfg: dict, out: Path) -> dict:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    args = {"report_to": "none", "disable_tqdm": not sys.stderr.isatty(), "save_strategy": "steps", **cfg["trl"]}
    args.update(batch_mapping(cfg, world))
    args["output_dir"] = str(out)
    return args


def make_config(cls, args: dict):
    try:
        return cls(**args)
    except TypeError as e:  # an unknown field: name it
        raise TrainerError(f"{cls.__name__}: {e}") from None
    except ValueError as e:
        raise TrainerError(f"{cls.__name__}: {str(e).splitlines()[0]}") from None


def run(cfg: dict) -> dict:
    out = Path(cfg["output_dir"])
    out.mkdir(parents=True, exist_ok=True)
    done_file = out / "done.json"
    if done_file.exists():
        done = json.loads(done_file.read_text(encoding="utf-8"))
        event("done", already=True, **done)
        return done
    metrics = out / "metrics.jsonl"
    resume = latest_checkpoint(out)
    if resume is not None:
        step = int(resume.name.split("-")[-1])
        event("resume", checkpoint=str(resume), step=step, dropped_metrics=truncate_after(metrics, step) if is_main_process() else 0)
    elif metrics.exists() and is_main_process():
        metrics.unlink()  # a run that died before its first checkpoint starts over

    import torch
    from transformers import AutoTokenizer

    model = resolve_model(cfg, out)
    tokenizer = AutoTokenizer.from_pretrained(model)
    args = trl_arguments(cfg, out)
    stage = cfg["stage"]
    if stage == "sft":
        from trl import SFTConfig, SFTTrainer

        config = make_config(SFTConfig, args)
        dataset = sft_dataset(cfg["dataset"])
        build = lambda cb: SFTTrainer(model=model, args=config, train_dataset=dataset, processing_class=tokenizer, callbacks=cb)
    else:
        from trl import GRPOConfig, GRPOTrainer

        from .reward import reward_functions

        funcs, weights = reward_functions(cfg["reward"])
        if "reward_weights" in args:
            raise TrainerError("trl.reward_weights is fixed by the paper's reward (0.1 format, 0.9 action); remove it")
        config = make_config(GRPOConfig, {**args, "reward_weights": weights})
        dataset = grpo_dataset(cfg["dataset"], cfg["reward"])
        build = lambda cb: GRPOTrainer(model=model, reward_funcs=funcs, args=config, train_dataset=dataset,
                                       processing_class=tokenizer, callbacks=cb)

    resolved = {"ours": cfg, "model_path": model, "rows": len(dataset), "world_size": int(os.environ.get("WORLD_SIZE", "1")),
                "device": "cuda" if torch.cuda.is_available() else "cpu", "trl": config.to_dict()}
    if is_main_process():
        write_json(out / "config.json", resolved)
    event("start", stage=stage, output_dir=str(out), rows=len(dataset), metrics=str(metrics),
          resume=str(resume) if resume else None, device=resolved["device"], open=sorted(cfg["open"]))
    trainer = build([metrics_callback(metrics, stage)])
    t0 = time.time()
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    final = out / "final"
    trainer.save_model(str(final))
    tokenizer.save_pretrained(str(final))
    done = {"stage": stage, "final": str(final), "steps": trainer.state.global_step, "epoch": trainer.state.epoch,
            "metrics": str(metrics), "train_s": round(time.time() - t0, 2), "resumed_from": str(resume) if resume else None}
    if trainer.is_world_process_zero():
        write_json(done_file, done)
        if cfg.get("keep_checkpoints", True) is False:
            # A finished run resumes nothing; a 1.5B checkpoint with optimizer state is ~18 GB.
            for ckpt in out.glob("checkpoint-*"):
                shutil.rmtree(ckpt, ignore_errors=True)
    event("done", already=False, **done)
    return done
