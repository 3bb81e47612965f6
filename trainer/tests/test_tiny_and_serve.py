"""The tests' tiny model (built locally, no hub) and the CPU OpenAI-compatible server around it."""

import json

import pytest

from trainer.serve import ApiError, Generator
from trainer.tests.conftest import VALID, make_rows


def test_tiny_tokenizer_is_lossless_and_loads_back_as_qwen2(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    assert type(tok).__name__ == "Qwen2Tokenizer"  # what transformers and vLLM rebuild for a qwen2 model
    text = "Reasoning: a\r\n\tb\u2028 \u00e9\nAction:  Do nothing"
    assert tok.decode(tok(text)["input_ids"]) == text
    chat = tok.apply_chat_template(make_rows(1)[0]["prompt"], tokenize=False, add_generation_prompt=True)
    assert chat.startswith("<|im_start|>system\n") and chat.endswith("<|im_end|>\n<|im_start|>assistant\n")
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    config = json.loads((tiny_model / "config.json").read_text())
    assert config["model_type"] == "qwen2" and config["num_hidden_layers"] == 2


@pytest.fixture(scope="module")
def generator(tiny_model):
    return Generator(str(tiny_model), "tiny", seed=0)


def chat(generator, **body):
    return generator.chat({"model": "tiny", "messages": make_rows(1)[0]["prompt"], "max_tokens": 8, **body})


def test_chat_completion_has_the_openai_shape(generator):
    out = chat(generator, temperature=1.0, seed=3)
    assert out["object"] == "chat.completion" and out["model"] == "tiny"
    choice = out["choices"][0]
    assert choice["message"]["role"] == "assistant" and isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    assert out["usage"]["completion_tokens"] <= 8 and out["usage"]["prompt_tokens"] > 10
    assert generator.models()["data"][0]["id"] == "tiny"


def test_a_request_seed_repeats_the_sample(generator):
    a = chat(generator, seed=11, max_tokens=16)["choices"][0]["message"]["content"]
    b = chat(generator, seed=11, max_tokens=16)["choices"][0]["message"]["content"]
    assert a == b


@pytest.mark.parametrize("body, status, message", [
    ({"model": "other"}, 404, "The model `other` does not exist."),
    ({"stream": True}, 400, "streaming is not supported"),
    ({"n": 2}, 400, "only n = 1"),
    ({"messages": [{"role": "user"}]}, 400, "messages must be"),
    ({"max_tokens": 10**6}, 400, "maximum context length"),
])
def test_bad_requests_get_vllm_style_errors(generator, body, status, message):
    with pytest.raises(ApiError) as e:
        chat(generator, **body)
    assert e.value.status == status and message in e.value.message


def test_valid_actions_fixture_is_what_the_rows_use():
    assert make_rows(1)[0]["valid_actions"] == VALID


def test_the_models_generation_config_does_not_leak_into_sampling(tiny_model, generator, tmp_path):
    """Qwen2.5-Instruct ships top_k=20 and repetition_penalty=1.05 in generation_config.json; a
    request that does not ask for them must not get them (greedy answers are the witness)."""
    import shutil

    nasty = tmp_path / "nasty"
    shutil.copytree(tiny_model, nasty)
    config = json.loads((nasty / "generation_config.json").read_text())
    (nasty / "generation_config.json").write_text(json.dumps({**config, "repetition_penalty": 50.0, "top_k": 1, "no_repeat_ngram_size": 1}))
    greedy = chat(generator, temperature=0, max_tokens=12)["choices"][0]["message"]["content"]
    other = Generator(str(nasty), "tiny", seed=0)
    assert chat(other, temperature=0, max_tokens=12)["choices"][0]["message"]["content"] == greedy
