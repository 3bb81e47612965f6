"""Config loading and the paper → TRL batch mapping."""

from pathlib import Path

import pytest

from trainer.config import batch_mapping, load_config
from trainer.data import TrainerError

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def write(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return p


BASE = "stage: grpo\nmodel: m\ndataset: d.jsonl\noutput_dir: out\n"


def test_yaml_exponents_are_numbers_and_set_overrides(tmp_path):
    cfg = load_config(write(tmp_path, BASE + "trl: {learning_rate: 1e-6, beta: 1.0e-3}\n"),
                      ["trl.max_steps=4", "trl.bf16=false", "output_dir=/tmp/x", "tiny.hidden_size=16"])
    assert cfg["trl"] == {"learning_rate": 1e-6, "beta": 0.001, "max_steps": 4, "bf16": False}
    assert cfg["output_dir"] == "/tmp/x" and cfg["tiny"] == {"hidden_size": 16}
    assert cfg["reward"] == "expert"


@pytest.mark.parametrize("text, overrides, message", [
    (BASE + "bogus: 1\n", [], "unknown key 'bogus'"),
    ("stage: ppo\nmodel: m\ndataset: d\noutput_dir: o\n", [], "stage must be one of"),
    ("stage: sft\nmodel: m\ndataset: d\n", [], "'output_dir' must be a non-empty string"),
    (BASE + "open: {temperature: why}\n", [], "open value 'temperature' is named but not set"),
    (BASE + "reward: nope\n", [], "reward must be expert or any_optimal"),
    (BASE, ["novalue"], "--set needs KEY=VALUE"),
    ("a: [1,\n", [], "not valid YAML"),
])
def test_bad_configs_are_one_line_errors(tmp_path, text, overrides, message):
    with pytest.raises(TrainerError, match=message) as e:
        load_config(write(tmp_path, text), overrides)
    assert "\n" not in str(e.value)


def test_stage_must_match_the_command(tmp_path):
    with pytest.raises(TrainerError, match="is for stage 'grpo', not 'sft'"):
        load_config(write(tmp_path, BASE), stage="sft")


def test_grpo_batch_is_256_prompts_times_g_completions_per_optimizer_step():
    cfg = load_config(CONFIGS / "paper-grpo.yaml")
    one = batch_mapping(cfg, world_size=1)
    assert one == {"per_device_train_batch_size": 16, "gradient_accumulation_steps": 80, "steps_per_generation": 80, "num_iterations": 1}
    eight = batch_mapping(cfg, world_size=8)
    assert eight["gradient_accumulation_steps"] * eight["per_device_train_batch_size"] * 8 == 256 * 5
    with pytest.raises(TrainerError, match="not divisible"):
        batch_mapping(cfg, world_size=3)


def test_sft_batch_is_8_examples_per_step_on_any_gpu_count():
    cfg = load_config(CONFIGS / "paper-sft.yaml")
    assert batch_mapping(cfg, 1) == {"per_device_train_batch_size": 8, "gradient_accumulation_steps": 1}
    assert batch_mapping(cfg, 8) == {"per_device_train_batch_size": 1, "gradient_accumulation_steps": 1}
    assert batch_mapping(cfg, 2) == {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 1}


def test_a_batch_knob_that_contradicts_the_paper_batch_is_refused(tmp_path):
    cfg = load_config(write(tmp_path, BASE + "batch: {prompts_per_step: 4}\ntrl: {num_generations: 2, per_device_train_batch_size: 4, generation_batch_size: 64}\n"))
    with pytest.raises(TrainerError, match="contradicts batch"):
        batch_mapping(cfg, 1)


def test_paper_configs_carry_the_paper_values_and_name_the_open_ones():
    sft = load_config(CONFIGS / "paper-sft.yaml", stage="sft")
    assert sft["model"] == "Qwen/Qwen2.5-1.5B-Instruct"
    assert sft["trl"]["num_train_epochs"] == 8 and sft["batch"] == {"examples_per_step": 8}
    grpo = load_config(CONFIGS / "paper-grpo.yaml", stage="grpo")
    trl = grpo["trl"]
    assert (trl["learning_rate"], trl["beta"], trl["num_train_epochs"], trl["loss_type"]) == (1e-6, 0.001, 50, "grpo")
    assert grpo["batch"] == {"prompts_per_step": 256}
    assert {"num_generations", "temperature", "max_completion_length"} <= set(grpo["open"])


def test_trl_accepts_the_paper_grpo_config():
    """Every key of the paper config is a GRPOConfig field, and the mapped batch comes out as intended
    (bf16/vLLM switched off: this machine has no GPU)."""
    from trl import GRPOConfig

    from trainer.train import make_config, trl_arguments

    cfg = load_config(CONFIGS / "paper-grpo.yaml", ["trl.bf16=false", "trl.use_vllm=false", "trl.use_cpu=true"])
    args = make_config(GRPOConfig, {**trl_arguments(cfg, Path("/tmp/unused")), "reward_weights": [0.1, 0.9]})
    assert args.generation_batch_size == 256 * 5 and args.num_generations == 5
    assert args.steps_per_generation == args.gradient_accumulation_steps == 80
    assert (args.beta, args.loss_type, args.learning_rate, args.num_iterations) == (0.001, "grpo", 1e-6, 1)
    assert args.scale_rewards == "group" and args.use_bias_correction_kl is False


def test_an_unknown_trl_field_is_named():
    from trl import SFTConfig

    from trainer.train import make_config

    with pytest.raises(TrainerError, match="learning_rat"):
        make_config(SFTConfig, {"output_dir": "/tmp/x", "learning_rat": 1})


def test_trl_accepts_the_paper_sft_config():
    from trl import SFTConfig

    from trainer.train import make_config, trl_arguments

    cfg = load_config(CONFIGS / "paper-sft.yaml", ["trl.bf16=false", "trl.use_cpu=true"])
    args = make_config(SFTConfig, trl_arguments(cfg, Path("/tmp/unused")))
    assert (args.num_train_epochs, args.per_device_train_batch_size, args.gradient_accumulation_steps) == (8, 8, 1)
    assert args.max_length is None and args.completion_only_loss is True
    assert (args.learning_rate, args.lr_scheduler_type.value if hasattr(args.lr_scheduler_type, "value") else args.lr_scheduler_type) == (1e-5, "cosine")
