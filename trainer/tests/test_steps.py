"""The optimizer-step count (trainer.config.optimizer_steps) against TRL's own.

TRL's count is read from TRL itself, not from a copy of its arithmetic: the GRPO and SFT trainers are
built on the tests' tiny model, and their own train dataloader (GRPO's RepeatSampler, transformers'
batching) goes through transformers' `set_initial_training_values`, the function `train()` uses to
size its loop; the micro-batches are also counted by iterating that dataloader. One GRPO run and one
SFT run then train for real and must stop at the counted step.
"""

import json
import math

import pytest

from trainer.config import load_config, optimizer_steps
from trainer.data import TrainerError, grpo_dataset, sft_dataset
from trainer.reward import reward_functions
from trainer.train import trl_arguments

from .conftest import make_rows
from .test_config import CONFIGS


def rows_file(tmp_path, n):
    path = tmp_path / f"rows-{n}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in make_rows(n)), encoding="utf-8")
    return path


def grpo_trainer(tiny_model, data, out, sets):
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    cfg = load_config(CONFIGS / "ci-grpo.yaml", [f"model={tiny_model}", f"dataset={data}", f"output_dir={out}",
                                                  "trl.max_completion_length=4", "trl.logging_steps=1000",
                                                  'trl.save_strategy="no"', *sets], stage="grpo")
    funcs, weights = reward_functions(cfg["reward"])
    args = GRPOConfig(**trl_arguments(cfg, out), reward_weights=weights)
    trainer = GRPOTrainer(model=str(tiny_model), reward_funcs=funcs, args=args, train_dataset=grpo_dataset(data),
                          processing_class=AutoTokenizer.from_pretrained(tiny_model))
    return cfg, trainer


def sft_trainer(tiny_model, data, out, sets):
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    cfg = load_config(CONFIGS / "ci-sft.yaml", [f"model={tiny_model}", f"dataset={data}", f"output_dir={out}",
                                                 "trl.logging_steps=1000", 'trl.save_strategy="no"', *sets], stage="sft")
    args = SFTConfig(**trl_arguments(cfg, out))
    trainer = SFTTrainer(model=str(tiny_model), args=args, train_dataset=sft_dataset(data),
                         processing_class=AutoTokenizer.from_pretrained(tiny_model))
    return cfg, trainer


def trl_count(trainer):
    """(optimizer steps per epoch, optimizer steps in all, micro-batches in one epoch), all from TRL."""
    loader = trainer.get_train_dataloader()
    _, per_epoch, _, _, _, micro, max_steps = trainer.set_initial_training_values(trainer.args, loader)
    return per_epoch, max_steps, sum(1 for _ in loader), micro


def assert_counts_agree(cfg, trainer, rows):
    """Ours equals TRL's per epoch and in all, and TRL's dataloader yields the micro-batches it claims."""
    ours = optimizer_steps(cfg, rows)
    per_epoch, max_steps, iterated, micro = trl_count(trainer)
    assert (ours["steps_per_epoch"], ours["steps"]) == (per_epoch, max_steps)
    assert iterated == micro
    return ours


# rows, prompts per step, G, per-device batch, epochs: exact multiples, a remainder, the remainder one
# prompt short of a batch, several micro-batches per step (steps_per_generation = accumulation = 2).
GRPO_CASES = [(8, 4, 2, 8, 1), (9, 4, 2, 8, 2), (11, 4, 2, 8, 1), (13, 4, 2, 4, 3), (7, 2, 2, 2, 2)]


@pytest.mark.parametrize("rows, prompts, g, per_device, epochs", GRPO_CASES)
def test_grpo_steps_are_whole_rounds_of_prompts_as_trl_counts_them(tiny_model, tmp_path, rows, prompts, g, per_device, epochs):
    cfg, trainer = grpo_trainer(tiny_model, rows_file(tmp_path, rows), tmp_path / "out",
                                [f"batch.prompts_per_step={prompts}", f"trl.num_generations={g}",
                                 f"trl.per_device_train_batch_size={per_device}", f"trl.num_train_epochs={epochs}"])
    ours = assert_counts_agree(cfg, trainer, rows)
    # the claim in words: ⌊rows / prompts⌋ steps per epoch (the incomplete round is dropped), not the ceiling
    assert ours["steps_per_epoch"] == rows // prompts and ours["unused_rows_per_epoch"] == rows % prompts
    assert ours["steps"] == epochs * (rows // prompts)


# rows, examples per step, per-device batch, drop_last, epochs: one micro-batch per step or two, the
# last partial batch kept (TRL's default) or dropped (the paper config, as verl's SFT).
SFT_CASES = [(13, 4, 4, False, 2), (13, 4, 4, True, 2), (13, 4, 2, True, 1), (14, 4, 2, True, 1), (12, 8, 8, True, 3)]


@pytest.mark.parametrize("rows, examples, per_device, drop_last, epochs", SFT_CASES)
def test_sft_steps_follow_the_dataloader_and_the_accumulation(tiny_model, tmp_path, rows, examples, per_device, drop_last, epochs):
    cfg, trainer = sft_trainer(tiny_model, rows_file(tmp_path, rows), tmp_path / "out",
                               [f"batch.examples_per_step={examples}", f"trl.per_device_train_batch_size={per_device}",
                                f"trl.dataloader_drop_last={str(drop_last).lower()}", f"trl.num_train_epochs={epochs}"])
    ours = assert_counts_agree(cfg, trainer, rows)
    assert ours["unused_rows_per_epoch"] == (rows % per_device if drop_last else 0)  # a partial micro-batch is dropped, a partial accumulation still steps


def test_a_real_grpo_run_and_a_real_sft_run_stop_at_the_counted_step(tiny_model, tmp_path):
    cfg, trainer = grpo_trainer(tiny_model, rows_file(tmp_path, 7), tmp_path / "grpo",
                                ["batch.prompts_per_step=3", "trl.num_generations=2", "trl.per_device_train_batch_size=6",
                                 "trl.num_train_epochs=2"])
    trainer.train()
    assert trainer.state.global_step == optimizer_steps(cfg, 7)["steps"] == 4  # ⌊7/3⌋ × 2; the ceiling would be 6
    cfg, trainer = sft_trainer(tiny_model, rows_file(tmp_path, 11), tmp_path / "sft",
                               ["batch.examples_per_step=4", "trl.per_device_train_batch_size=4",
                                "trl.dataloader_drop_last=true", "trl.num_train_epochs=2"])
    trainer.train()
    assert trainer.state.global_step == optimizer_steps(cfg, 11)["steps"] == 4  # ⌊11/4⌋ × 2


def test_fewer_rows_than_a_batch_is_refused_like_trl_refuses_it(tiny_model, tmp_path):
    cfg, trainer = grpo_trainer(tiny_model, rows_file(tmp_path, 3), tmp_path / "out", ["batch.prompts_per_step=4", "trl.num_generations=2"])
    with pytest.raises(TrainerError, match="fewer than one batch of 4 prompts"):
        optimizer_steps(cfg, 3)
    with pytest.raises(ValueError, match="max_steps must be set"):
        trl_count(trainer)


def test_the_paper_configs_count_floor_rows_over_256_times_50_and_floor_rows_over_8_times_8():
    grpo = load_config(CONFIGS / "paper-grpo.yaml", stage="grpo")
    sft = load_config(CONFIGS / "paper-sft.yaml", stage="sft")
    for rows in (255 + 1, 789, 905, 1224, 2068):
        for world in (1, 2, 4, 8):
            g = optimizer_steps(grpo, rows, world)
            assert (g["steps"], g["steps_per_epoch"], g["batch"]) == ((rows // 256) * 50, rows // 256, 256)
            s = optimizer_steps(sft, rows, world)
            assert (s["steps"], s["batch"], s["unused_rows_per_epoch"]) == ((rows // 8) * 8, 8, rows % 8)
    assert optimizer_steps(grpo, 905)["steps"] != math.ceil(905 / 256) * 50  # what notes/trainer.md used to say
