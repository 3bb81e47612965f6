"""The TRL defaults the paper configs keep (trainer.config.KEPT_TRL_DEFAULTS) are TRL 1.16's defaults, the
configs do not set them, and the README's Deviations section names every one of them."""

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from trainer.config import KEPT_TRL_DEFAULTS, TRL_ADVANTAGE_EPSILON, load_config

from .test_config import CONFIGS

README = Path(__file__).resolve().parents[2] / "README.md"


def defaults(cls) -> dict:
    return {f.name: f.default for f in dataclasses.fields(cls)}


@pytest.mark.parametrize("stage", ["sft", "grpo"])
def test_kept_values_are_trls_defaults_and_the_paper_config_leaves_them(stage):
    from trl import GRPOConfig, SFTConfig

    trl = defaults(GRPOConfig if stage == "grpo" else SFTConfig)
    cfg = load_config(CONFIGS / f"paper-{stage}.yaml", stage=stage)
    for name, value in KEPT_TRL_DEFAULTS[stage].items():
        assert name in trl, f"{name} is not a {stage} config field"
        assert trl[name] == value, f"TRL's default {name} is {trl[name]!r}, not {value!r}"
        assert name not in cfg["trl"], f"paper-{stage}.yaml sets {name}: it is not a kept default"


def test_the_advantage_epsilon_and_the_unbiased_std_are_trls():
    import torch
    from trl import GRPOTrainer
    from trl.trainer.utils import nanstd

    source = inspect.getsource(GRPOTrainer)
    assert TRL_ADVANTAGE_EPSILON == 1e-4 and "advantages = advantages / (std_rewards + 1e-4)" in source
    assert torch.isclose(nanstd(torch.tensor([0.0, 1.0])), torch.tensor(0.5 ** 0.5))  # n − 1: 0.707, not 0.5


def test_the_readme_deviations_name_every_kept_grpo_default():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Deviations"):]
    section = section[: section.index("\n## ", 1)]
    named = set(re.findall(r"`([a-z_0-9]+)`", section))
    missing = [name for name in KEPT_TRL_DEFAULTS["grpo"] if name not in named and not name.startswith(("adam_", "warmup"))]
    assert not missing, f"README Deviations do not name {missing}"
