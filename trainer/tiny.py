"""A tiny random Qwen2-architecture model and a tokenizer, built locally (no hub): the ci profile and the
tests train this instead of Qwen2.5-1.5B-Instruct, through exactly the same SFT/GRPO/serve code.

- The tokenizer is byte-level BPE (like Qwen's, so decoding is lossless: the reward's line-start
  markers survive) trained on the dataset's own text, with Qwen's special tokens and a ChatML chat
  template of the Qwen2.5 form written out by hand. Its normalizer and pre-tokenizer are Qwen2's
  own (NFC, then Qwen2's split regex): transformers (AutoTokenizer) and vLLM rebuild any
  `qwen2` model's tokenizer that way from tokenizer.json's vocab and merges, so the BPE must be
  trained with the same splits to tokenize as trained (a row of the dataset is ~1100 tokens).
- The model is `Qwen2ForCausalLM` with 2 layers and a small hidden size, randomly initialised from a seed.

    python -m trainer tiny --dataset results/ci/expert/burger/train.jsonl --out results/ci/trainer/tiny
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .data import read_rows

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# ChatML as Qwen2.5-Instruct's template renders it for plain chats (no tools): a default system
# message when the chat has none, each message as <|im_start|>role\n…<|im_end|>\n, and the
# assistant header as the generation prompt. <|im_end|> ends a reply (the EOS token).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
    "{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


@dataclass
class TinySpec:
    vocab_size: int = 1024
    hidden_size: int = 64
    intermediate_size: int = 128
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 8192
    seed: int = 0


def dataset_texts(rows: list[dict]) -> list[str]:
    """The BPE's training text: every message as the chat template lays it out ("role\ncontent")."""
    return [f"{m['role']}\n{m['content']}" for row in rows for m in row["prompt"] + row["completion"]]


def build_tokenizer(texts: list[str], vocab_size: int):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
        model_max_length=TinySpec.max_position_embeddings,
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def build_tiny(dataset: str | Path, out: str | Path, spec: TinySpec = TinySpec()) -> Path:
    """Write a tokenizer and a random tiny Qwen2 model to `out` (a directory from_pretrained can load)."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out)
    rows = read_rows(dataset)
    tokenizer = build_tokenizer(dataset_texts(rows), spec.vocab_size)
    torch.manual_seed(spec.seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_hidden_layers,
        num_attention_heads=spec.num_attention_heads,
        num_key_value_heads=spec.num_key_value_heads,
        max_position_embeddings=spec.max_position_embeddings,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, do_sample=True, temperature=1.0
    )
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "tiny.json").write_text(json.dumps({"dataset": str(dataset), **spec.__dict__, "vocab": len(tokenizer)}, indent=2) + "\n")
    return out
