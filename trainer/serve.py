"""Serve a model on an OpenAI-compatible endpoint for evaluation (lib/agent's EndpointPolicy).

    python -m trainer serve --model results/paper/trainer/burger/grpo/final --name grpo --port 8000

- backend "vllm" (the GPU path, and "auto" when CUDA and vLLM are both there): runs
  `vllm serve MODEL --served-model-name NAME --host H --port P --generation-config vllm [extra flags
  after --]`, vLLM's own OpenAI-compatible server. (`trl vllm-serve` is a different, TRL-only
  protocol for training.)
- Both sample exactly as the request says (temperature, top_p, max_tokens, seed) and nothing else:
  neither applies the model's generation_config.json defaults (top_k, repetition_penalty…), which
  would otherwise change the evaluation's sampling silently.
- backend "transformers" (CPU, tests): a small stdlib HTTP server around `model.generate`:
  GET /v1/models, GET /health, POST /v1/chat/completions (the tokenizer's chat template with the
  generation prompt; temperature, top_p, max_tokens, seed, stop; n = 1, no streaming). Requests
  are answered one at a time (one model, one lock).
- Every request parameter is checked as the OpenAI API checks it (`parse_chat_request`): a bad value
  (temperature null, "hot" or -1; top_p out of [0, 1]; max_tokens 0; stop not a string or a list of
  strings; a seed that is no integer or beyond 64 bits) or a feature this server does not have
  (n > 1, streaming, logprobs, tools, a JSON response_format, penalties, an unknown parameter) is a
  400 with an OpenAI-style error naming the parameter — never a 500 that a client retries, never a
  parameter silently ignored. An explicit null is refused too (the OpenAI spec reads it as "the
  default"; here it says "leave it out"), so a client bug shows.
- A port in use, a bad host or port, a missing or empty model directory: one line on stderr and
  exit 1, before any model is loaded (the port is bound first).

Either way the first stdout line is a JSON event {"event": "serving", "endpoint", "url", "model",
"backend"} (port 0 picks a free port); the transformers backend prints it once it accepts
requests, vLLM takes longer, so clients wait for GET /v1/models to answer (lib/trainer-client does).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .data import TrainerError

DEFAULT_MAX_TOKENS = 512
INT64 = (-(2**63), 2**63 - 1)
MAX_STOP_SEQUENCES = 4  # OpenAI's limit


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def pick_backend(backend: str) -> str:
    if backend != "auto":
        return backend
    try:
        import torch

        cuda = torch.cuda.is_available()
    except ImportError:
        cuda = False
    return "vllm" if cuda and shutil.which("vllm") else "transformers"


def ready_line(host: str, port: int, name: str, backend: str) -> None:
    endpoint = f"http://{host}:{port}"
    print(json.dumps({"event": "serving", "endpoint": endpoint, "url": endpoint + "/v1", "model": name, "backend": backend}), flush=True)


def serve(model: str, name: str | None = None, host: str = "127.0.0.1", port: int = 0, backend: str = "auto",
          seed: int = 0, extra: list[str] = ()) -> None:
    name = name or model
    check_port(port)
    backend = pick_backend(backend)
    if backend == "vllm":
        vllm = shutil.which("vllm")
        if not vllm:
            raise TrainerError("backend vllm: the vllm command is not installed (the GPU set: STGRPO_TRAINER=gpu scripts/setup.sh)")
        port = port or free_port(host)
        ready_line(host, port, name, "vllm")
        # Sampling must be what the request says: by default vLLM fills unset fields from the model's
        # generation_config.json (Qwen2.5-Instruct's: top_k 20, top_p 0.8, repetition_penalty 1.05).
        defaults = [] if any(a.startswith("--generation-config") for a in extra) else ["--generation-config", "vllm"]
        os.execv(vllm, [vllm, "serve", model, "--served-model-name", name, "--host", host, "--port", str(port), *defaults, *extra])
    if extra:
        raise TrainerError(f"backend transformers takes no extra flags, got {' '.join(extra)}")
    server = bind(host, port)  # before loading: a port in use fails at once, not after the model loads
    try:
        check_model_source(model)
        generator = Generator(model, name, seed)
    except BaseException:
        server.server_close()
        raise
    generator.serve_forever(server, host)


def check_port(port: int) -> int:
    if not 0 <= port <= 65535:
        raise TrainerError(f"--port must be 0 (a free port) to 65535, got {port}")
    return port


def check_model_source(model: str) -> None:
    """A local path must be a model directory; anything else is taken for a hub id (offline: cached)."""
    looks_local = os.path.isabs(model) or model.startswith((".", "~")) or os.path.exists(model) or model.count("/") > 1
    if not looks_local:
        return
    path = os.path.expanduser(model)
    if not os.path.exists(path):
        raise TrainerError(f"model directory {model} does not exist")
    if not os.path.isdir(path):
        raise TrainerError(f"model {model} is a file, not a model directory")
    if not os.path.isfile(os.path.join(path, "config.json")):
        raise TrainerError(f"model directory {model} has no config.json (empty, or not a saved model)")


def bind(host: str, port: int) -> ThreadingHTTPServer:
    """The listening server (its handler is attached by Generator.serve_forever); one-line errors."""
    check_port(port)
    try:
        server = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
    except socket.gaierror as e:
        raise TrainerError(f"cannot listen on {host}:{port}: unknown host ({e.strerror})") from None
    except OSError as e:
        raise TrainerError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    except OverflowError as e:
        raise TrainerError(f"cannot listen on {host}:{port}: {e}") from None
    server.daemon_threads = True
    return server


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", param: str | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.param = status, message, kind, param

    def body(self) -> dict:
        """OpenAI's error shape, with vLLM's flat fields beside it (clients read either)."""
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": None},
                "object": "error", "message": self.message, "type": self.kind, "param": self.param, "code": self.status}


@dataclass
class ChatRequest:
    """A checked chat-completion request: what generation uses, nothing else."""
    messages: list
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int | None = None
    stop: list = field(default_factory=list)
    seed: int | None = None


def _bad(param: str, message: str) -> ApiError:
    return ApiError(400, f"Invalid value for '{param}': {message}", "invalid_request_error", param)


def _unsupported(param: str, what: str) -> ApiError:
    return ApiError(400, f"'{param}': {what} is not supported by this server", "invalid_request_error", param)


def _number(body: dict, param: str, default: float, low: float, high: float) -> float:
    if param not in body:
        return default
    v = body[param]
    if v is None:
        raise _bad(param, f"expected a number from {low} to {high}, got null (leave it out for the default, {default})")
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
        raise _bad(param, f"expected a number from {low} to {high}, got {json.dumps(v)}")
    if not low <= v <= high:
        raise _bad(param, f"{v} is out of range: it must be from {low} to {high}")
    return float(v)


def _integer(body: dict, param: str, low: int, high: int) -> int | None:
    if param not in body:
        return None
    v = body[param]
    if isinstance(v, bool) or not isinstance(v, int):
        shown = "null (leave it out for the default)" if v is None else json.dumps(v)
        raise _bad(param, f"expected an integer, got {shown}")
    if not low <= v <= high:
        raise _bad(param, f"{v} is out of range: it must be from {low} to {high}")
    return v


# Parameters that change nothing here (bookkeeping of the OpenAI API), accepted and ignored.
IGNORED = {"user", "metadata", "store", "service_tier", "parallel_tool_calls", "stream_options", "prediction", "modalities"}
CHECKED = {"model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "seed", "n", "stream",
           "logprobs", "top_logprobs", "response_format", "tools", "tool_choice", "functions", "function_call",
           "presence_penalty", "frequency_penalty", "logit_bias"}


def parse_chat_request(body: dict, name: str) -> ChatRequest:
    """Check every parameter of a chat-completion body as the OpenAI API does; ApiError (400/404) otherwise."""
    unknown = sorted(k for k in body if k not in CHECKED and k not in IGNORED)
    if unknown:
        raise ApiError(400, f"Unrecognized request argument supplied: {unknown[0]}", "invalid_request_error", unknown[0])
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise _bad("model", f"expected a string, got {json.dumps(model)}")
    if model not in (None, name):
        raise ApiError(404, f"The model `{model}` does not exist.", "NotFoundError", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or any(
        not isinstance(m, dict) or not isinstance(m.get("content"), str) or m.get("role") not in ("system", "user", "assistant")
        for m in messages
    ):
        raise _bad("messages", "messages must be a non-empty list of {role, content} with string content")
    if body.get("stream") not in (None, False):
        if body["stream"] is not True:
            raise _bad("stream", f"expected a boolean, got {json.dumps(body['stream'])}")
        raise _unsupported("stream", "streaming")
    n = _integer(body, "n", 1, 128)
    if n is not None and n != 1:
        raise _unsupported("n", f"n = {n} (only n = 1)")
    if body.get("logprobs") not in (None, False):
        raise _unsupported("logprobs", "logprobs")
    if body.get("top_logprobs") is not None:
        raise _unsupported("top_logprobs", "top_logprobs")
    fmt = body.get("response_format")
    if fmt is not None and not (isinstance(fmt, dict) and fmt.get("type") == "text"):
        raise _unsupported("response_format", f"response_format {json.dumps(fmt)[:60]} (only {{\"type\": \"text\"}})")
    for p in ("tools", "functions"):
        if body.get(p):
            raise _unsupported(p, "tool calling")
    for p in ("tool_choice", "function_call"):
        if body.get(p) not in (None, "none", "auto"):
            raise _unsupported(p, "tool calling")
    for p in ("presence_penalty", "frequency_penalty"):
        if _number(body, p, 0.0, -2.0, 2.0) != 0.0:
            raise _unsupported(p, f"a non-zero {p}")
    bias = body.get("logit_bias")
    if bias is not None and not isinstance(bias, dict):
        raise _bad("logit_bias", f"expected an object, got {json.dumps(bias)}")
    if bias:
        raise _unsupported("logit_bias", "logit_bias")
    req = ChatRequest(messages=messages)
    req.temperature = _number(body, "temperature", 1.0, 0.0, 2.0)
    req.top_p = _number(body, "top_p", 1.0, 0.0, 1.0)
    for p in ("max_completion_tokens", "max_tokens"):  # the newer name wins when both are given
        v = _integer(body, p, 1, 2**31 - 1) if p in body else None
        if v is not None and req.max_tokens is None:
            req.max_tokens = v
    stop = body.get("stop", [])
    if stop is None:
        raise _bad("stop", "expected a string or a list of strings, got null (leave it out for none)")
    if isinstance(stop, str):
        stop = [stop]
    if not isinstance(stop, list) or not all(isinstance(x, str) for x in stop):
        raise _bad("stop", f"expected a string or a list of strings, got {json.dumps(stop)[:60]}")
    if len(stop) > MAX_STOP_SEQUENCES or any(x == "" for x in stop):
        raise _bad("stop", f"at most {MAX_STOP_SEQUENCES} non-empty sequences, got {json.dumps(stop)[:60]}")
    req.stop = stop
    req.seed = _integer(body, "seed", *INT64)
    return req


def cut_at_stop(tokenizer, new: list[int], stop: list[str]) -> tuple[str, int, bool]:
    """The completion text cut before the first stop sequence, and the tokens generated up to and
    including the one that completed it (what usage counts: nothing past the stop). Returns (text,
    completion tokens, stopped)."""
    text = tokenizer.decode(new, skip_special_tokens=True)
    hits = [text.index(s) for s in stop if s in text]
    if not hits:
        return text, len(new), False
    cut = min(hits)
    for k in range(1, len(new) + 1):  # the shortest prefix whose text reaches a stop sequence
        prefix = tokenizer.decode(new[:k], skip_special_tokens=True)
        if any(s in prefix for s in stop):
            return text[:cut], k, True
    return text[:cut], len(new), True


class Generator:
    """One transformers model behind the OpenAI chat-completions API."""

    def __init__(self, model: str, name: str, seed: int):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.name = name
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.model = AutoModelForCausalLM.from_pretrained(model)
        except (OSError, ValueError) as e:  # not found offline, not a model, a malformed hub id
            raise TrainerError(f"cannot load model {model}: {str(e).splitlines()[0]}") from None
        self.model.eval()
        # Sampling is what each request says and nothing else: the model's generation_config.json
        # (Qwen2.5-Instruct's top_k 20, repetition_penalty 1.05…) would fill every knob a request
        # leaves unset, since transformers merges it into any GenerationConfig passed to generate().
        from transformers import GenerationConfig

        self.model.generation_config = GenerationConfig(eos_token_id=self.tokenizer.eos_token_id, pad_token_id=self.tokenizer.pad_token_id)
        self.max_len = getattr(self.model.config, "max_position_embeddings", 32768)
        self.lock = threading.Lock()
        self.rng = torch.Generator().manual_seed(seed)  # requests without a seed draw from the server's stream

    def models(self) -> dict:
        return {"object": "list", "data": [{"id": self.name, "object": "model", "created": int(time.time()), "owned_by": "stgrpo"}]}

    def chat(self, body: dict) -> dict:
        req = parse_chat_request(body, self.name)
        ids = self.tokenizer.apply_chat_template(req.messages, add_generation_prompt=True, return_dict=True, return_tensors="pt")["input_ids"]
        n_prompt = ids.shape[1]
        max_tokens = req.max_tokens if req.max_tokens is not None else min(DEFAULT_MAX_TOKENS, max(1, self.max_len - n_prompt))
        if n_prompt + max_tokens > self.max_len:
            raise ApiError(400, f"This model's maximum context length is {self.max_len} tokens. However, you requested "
                                f"{n_prompt + max_tokens} tokens ({n_prompt} in the messages, {max_tokens} in the completion).",
                           "invalid_request_error", "max_tokens")
        torch = self.torch
        from transformers import GenerationConfig

        sampling = {"do_sample": True, "temperature": req.temperature, "top_p": req.top_p} if req.temperature > 0 else {"do_sample": False}
        config = GenerationConfig(max_new_tokens=max_tokens, eos_token_id=self.tokenizer.eos_token_id,
                                  pad_token_id=self.tokenizer.pad_token_id, **sampling)
        with self.lock:
            seed = req.seed if req.seed is not None else int(torch.randint(0, 2**31 - 1, (1,), generator=self.rng))
            torch.manual_seed(seed % 2**64)  # torch takes [0, 2^64): a negative int64 maps onto it
            with torch.no_grad():
                out = self.model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)
        new = out[0, n_prompt:].tolist()
        finished = bool(new) and new[-1] == self.tokenizer.eos_token_id
        text, completion_tokens, stopped = cut_at_stop(self.tokenizer, new, req.stop)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop" if finished or stopped else "length"}],
            "usage": {"prompt_tokens": n_prompt, "completion_tokens": completion_tokens, "total_tokens": n_prompt + completion_tokens},
        }

    def serve_forever(self, server: ThreadingHTTPServer, host: str) -> None:
        gen = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: one model call per request would flood the log
                pass

            def reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def error(self, e: ApiError) -> None:
                self.reply(e.status, e.body())

            def do_GET(self):
                path = self.path.split("?")[0].rstrip("/")
                if path == "/v1/models":
                    self.reply(200, gen.models())
                elif path == "/health":
                    self.reply(200, {"status": "ok"})
                else:
                    self.error(ApiError(404, f"no route {self.path}", "NotFoundError"))

            def do_POST(self):
                try:
                    if self.path.split("?")[0].rstrip("/") != "/v1/chat/completions":
                        raise ApiError(404, f"no route {self.path}", "NotFoundError")
                    try:
                        length = int(self.headers.get("Content-Length") or 0)
                    except ValueError:
                        raise ApiError(400, "bad Content-Length") from None
                    try:
                        body = json.loads(self.rfile.read(length) or b"{}")
                    except (json.JSONDecodeError, UnicodeDecodeError) as e:
                        raise ApiError(400, f"the body is not valid JSON: {getattr(e, 'msg', e)}") from None
                    if not isinstance(body, dict):
                        raise ApiError(400, "the body must be a JSON object")
                    self.reply(200, gen.chat(body))
                except ApiError as e:
                    self.error(e)
                except Exception as e:  # a bug (parameters are checked above): answer, do not hang the client
                    self.error(ApiError(500, f"{type(e).__name__}: {e}", "server_error"))

        server.RequestHandlerClass = Handler
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
        ready_line(host, server.server_address[1], self.name, "transformers")
        try:
            server.serve_forever()
        finally:
            server.server_close()
        sys.stdout.flush()
