"""The CPU server's contract with its clients: every bad parameter is a 400 with an OpenAI-style error
naming it (never a 500 a client retries, never a parameter silently ignored), usage counts nothing past
a stop sequence, and a bad start (port in use, bad port or host, missing or empty model directory) is
one line on stderr with exit 1 — no traceback. Checked against the real server over HTTP on loopback."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from trainer.serve import ApiError, Generator, cut_at_stop, parse_chat_request
from trainer.tests.conftest import make_rows

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = make_rows(1)[0]["prompt"]

# (parameters, the parameter the error names, words of the message): OpenAI's ranges and types.
BAD = [
    ({"temperature": None}, "temperature", "got null"),
    ({"temperature": "hot"}, "temperature", 'got "hot"'),
    ({"temperature": -1}, "temperature", "out of range"),
    ({"temperature": 2.5}, "temperature", "out of range"),
    ({"temperature": True}, "temperature", "got true"),
    ({"top_p": None}, "top_p", "got null"),
    ({"top_p": 1.5}, "top_p", "out of range"),
    ({"top_p": -0.1}, "top_p", "out of range"),
    ({"max_tokens": -5}, "max_tokens", "out of range"),
    ({"max_tokens": 0}, "max_tokens", "out of range"),
    ({"max_tokens": 2.5}, "max_tokens", "expected an integer"),
    ({"max_tokens": "8"}, "max_tokens", "expected an integer"),
    ({"max_completion_tokens": 0}, "max_completion_tokens", "out of range"),
    ({"stop": [1]}, "stop", "a list of strings"),
    ({"stop": 3}, "stop", "a list of strings"),
    ({"stop": None}, "stop", "got null"),
    ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "at most 4"),
    ({"stop": [""]}, "stop", "non-empty"),
    ({"seed": "x"}, "seed", "expected an integer"),
    ({"seed": 1.5}, "seed", "expected an integer"),
    ({"seed": 2**70}, "seed", "out of range"),
    ({"seed": -(2**63) - 1}, "seed", "out of range"),
    ({"n": 2}, "n", "not supported"),
    ({"n": 0}, "n", "out of range"),
    ({"stream": True}, "stream", "not supported"),
    ({"stream": "yes"}, "stream", "expected a boolean"),
    ({"logprobs": True}, "logprobs", "not supported"),
    ({"top_logprobs": 2}, "top_logprobs", "not supported"),
    ({"response_format": {"type": "json_object"}}, "response_format", "not supported"),
    ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools", "not supported"),
    ({"tool_choice": "required"}, "tool_choice", "not supported"),
    ({"presence_penalty": 0.5}, "presence_penalty", "not supported"),
    ({"frequency_penalty": 3}, "frequency_penalty", "out of range"),
    ({"logit_bias": {"1": 5}}, "logit_bias", "not supported"),
    ({"top_k": 20}, "top_k", "Unrecognized request argument"),
    ({"messages": [{"role": "user"}]}, "messages", "messages must be"),
    ({"messages": []}, "messages", "messages must be"),
]

GOOD = [
    {},
    {"temperature": 0, "top_p": 1, "max_tokens": 8, "seed": 2**63 - 1, "stop": "x", "n": 1, "stream": False},
    {"seed": -(2**63), "stop": ["a", "b"], "logprobs": False, "response_format": {"type": "text"}, "tools": [], "tool_choice": "none"},
    {"presence_penalty": 0, "frequency_penalty": 0.0, "logit_bias": {}, "user": "me", "max_completion_tokens": 4},
]


@pytest.mark.parametrize("params, param, words", BAD, ids=[json.dumps(b[0])[:40] for b in BAD])
def test_every_bad_parameter_is_a_400_naming_it(params, param, words):
    with pytest.raises(ApiError) as e:
        parse_chat_request({"model": "tiny", "messages": MESSAGES, **params}, "tiny")
    assert e.value.status == 400 and e.value.param == param and words in e.value.message, e.value.message
    body = e.value.body()
    assert body["error"]["message"] == e.value.message and body["error"]["param"] == param and body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("params", GOOD)
def test_valid_parameters_pass(params):
    req = parse_chat_request({"model": "tiny", "messages": MESSAGES, **params}, "tiny")
    assert req.messages == MESSAGES


def test_max_tokens_is_taken_as_given_and_the_newer_name_wins():
    assert parse_chat_request({"messages": MESSAGES, "max_tokens": 7}, "tiny").max_tokens == 7
    assert parse_chat_request({"messages": MESSAGES, "max_tokens": 7, "max_completion_tokens": 3}, "tiny").max_tokens == 3
    assert parse_chat_request({"messages": MESSAGES}, "tiny").max_tokens is None


@pytest.fixture(scope="module")
def generator(tiny_model):
    return Generator(str(tiny_model), "tiny", seed=0)


def test_usage_counts_no_token_past_a_stop_sequence(generator):
    body = {"model": "tiny", "messages": MESSAGES, "temperature": 0, "max_tokens": 24}
    full = generator.chat(body)
    text = full["choices"][0]["message"]["content"]
    assert full["usage"]["completion_tokens"] == 24 and len(text) > 6, text
    # A stop sequence taken from the middle of the greedy answer: the same answer, cut there.
    stop = text[len(text) // 2: len(text) // 2 + 3]
    cut = generator.chat({**body, "stop": [stop]})
    content = cut["choices"][0]["message"]["content"]
    assert content == text[: text.index(stop)] and cut["choices"][0]["finish_reason"] == "stop"
    n = cut["usage"]["completion_tokens"]
    assert 0 < n < 24 and cut["usage"]["total_tokens"] == cut["usage"]["prompt_tokens"] + n
    ids = generator.tokenizer(text, add_special_tokens=False)["input_ids"]
    assert cut_at_stop(generator.tokenizer, ids, [stop])[1] <= len(ids)


def test_max_tokens_zero_is_refused_not_512(generator):
    with pytest.raises(ApiError) as e:
        generator.chat({"model": "tiny", "messages": MESSAGES, "max_tokens": 0})
    assert e.value.status == 400


# ---- the real server over HTTP, and its start-up failures ----

def run_server(*args, **kw):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "trainer", "serve", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def served(tiny_model):
    p = run_server("--model", str(tiny_model), "--name", "tiny", "--port", "0", "--backend", "transformers")
    line = p.stdout.readline()
    assert line, p.stderr.read()
    event = json.loads(line)
    yield event["url"]
    p.terminate()
    p.wait(timeout=30)


def post(url, body) -> tuple[int, dict]:
    req = urllib.request.Request(url + "/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("params, param, words", [b for b in BAD if b[1] in ("temperature", "top_p", "max_tokens", "stop", "seed", "n", "logprobs", "tools", "response_format")][::2])
def test_over_http_a_bad_parameter_is_400_with_an_openai_error(served, params, param, words):
    status, body = post(served, {"model": "tiny", "messages": MESSAGES, "max_tokens": 4, **params})
    assert status == 400, body
    assert body["error"]["param"] == param and words in body["error"]["message"]


def test_over_http_invalid_json_is_400_and_a_good_request_is_200(served):
    req = urllib.request.Request(served + "/chat/completions", data=b"{nope", headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 400 and "not valid JSON" in json.loads(e.value.read())["error"]["message"]
    status, body = post(served, {"model": "tiny", "messages": MESSAGES, "max_tokens": 4, "seed": 1})
    assert status == 200 and isinstance(body["choices"][0]["message"]["content"], str)


def one_line_failure(p, words: str) -> None:
    out, err = p.communicate(timeout=60)
    assert p.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("trainer serve: ") and words in lines[0], lines[0]
    assert out == ""


def test_start_failures_are_one_line_and_exit_1(tiny_model, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        one_line_failure(run_server("--model", str(tiny_model), "--port", str(port), "--backend", "transformers"), "Address already in use")
    one_line_failure(run_server("--model", str(tiny_model), "--port", "99999", "--backend", "transformers"), "--port must be 0 (a free port) to 65535")
    one_line_failure(run_server("--model", str(tiny_model), "--host", "no-such-host.invalid", "--backend", "transformers"), "unknown host")
    one_line_failure(run_server("--model", str(tmp_path / "missing"), "--backend", "transformers"), "does not exist")
    (tmp_path / "empty").mkdir()
    one_line_failure(run_server("--model", str(tmp_path / "empty"), "--backend", "transformers"), "has no config.json")
    one_line_failure(run_server("--model", "not a hub id!", "--backend", "transformers"), "cannot load model not a hub id!")


def test_a_usage_mistake_is_one_line_too():
    p = run_server("--model", "x", "--port", "abc")
    _, err = p.communicate(timeout=60)
    assert p.returncode == 2 and len(err.strip().splitlines()) == 1 and "invalid int value" in err
