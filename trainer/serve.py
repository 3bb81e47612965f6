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
  are answered one at a time (one model, one lock); errors have vLLM's JSON shape.

Either way the first stdout line is a JSON event {"event": "serving", "endpoint", "url", "model",
"backend"} (port 0 picks a free port); the transformers backend prints it once it accepts
requests, vLLM takes longer, so clients wait for GET /v1/models to answer (lib/trainer does).
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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .data import TrainerError

DEFAULT_MAX_TOKENS = 512


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
    Generator(model, name, seed).serve_forever(host, port)


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "BadRequestError"):
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


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
        except OSError as e:
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
        if body.get("model") not in (None, self.name):
            raise ApiError(404, f"The model `{body.get('model')}` does not exist.", "NotFoundError")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or any(
            not isinstance(m, dict) or not isinstance(m.get("content"), str) or m.get("role") not in ("system", "user", "assistant")
            for m in messages
        ):
            raise ApiError(400, "messages must be a non-empty list of {role, content} with string content")
        if body.get("stream"):
            raise ApiError(400, "streaming is not supported by this server")
        if body.get("n", 1) != 1:
            raise ApiError(400, "only n = 1 is supported")
        temperature = float(body.get("temperature", 1.0))
        top_p = float(body.get("top_p", 1.0))
        max_tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or DEFAULT_MAX_TOKENS)
        stop = body.get("stop") or []
        stop = [stop] if isinstance(stop, str) else list(stop)
        ids = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=True, return_tensors="pt")["input_ids"]
        n_prompt = ids.shape[1]
        if n_prompt + max_tokens > self.max_len:
            raise ApiError(400, f"This model's maximum context length is {self.max_len} tokens. However, you requested "
                                f"{n_prompt + max_tokens} tokens ({n_prompt} in the messages, {max_tokens} in the completion).")
        torch = self.torch
        from transformers import GenerationConfig

        sampling = {"do_sample": True, "temperature": temperature, "top_p": top_p} if temperature > 0 else {"do_sample": False}
        config = GenerationConfig(max_new_tokens=max_tokens, eos_token_id=self.tokenizer.eos_token_id,
                                  pad_token_id=self.tokenizer.pad_token_id, **sampling)
        with self.lock:
            seed = body.get("seed")
            torch.manual_seed(int(seed) if seed is not None else int(torch.randint(0, 2**31 - 1, (1,), generator=self.rng)))
            with torch.no_grad():
                out = self.model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)
        new = out[0, n_prompt:].tolist()
        finished = bool(new) and new[-1] == self.tokenizer.eos_token_id
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        for s in stop:
            if s and s in text:
                text, finished = text[: text.index(s)], True
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop" if finished else "length"}],
            "usage": {"prompt_tokens": n_prompt, "completion_tokens": len(new), "total_tokens": n_prompt + len(new)},
        }

    def serve_forever(self, host: str, port: int) -> None:
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
                self.reply(e.status, {"object": "error", "message": e.message, "type": e.kind, "param": None, "code": e.status})

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
                    length = int(self.headers.get("Content-Length") or 0)
                    try:
                        body = json.loads(self.rfile.read(length) or b"{}")
                    except json.JSONDecodeError as e:
                        raise ApiError(400, f"the body is not valid JSON: {e.msg}") from None
                    if not isinstance(body, dict):
                        raise ApiError(400, "the body must be a JSON object")
                    self.reply(200, gen.chat(body))
                except ApiError as e:
                    self.error(e)
                except Exception as e:  # a bug or a bad parameter value: answer, do not hang the client
                    self.error(ApiError(500, f"{type(e).__name__}: {e}", "InternalServerError"))

        server = ThreadingHTTPServer((host, port), Handler)
        server.daemon_threads = True
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
        ready_line(host, server.server_address[1], self.name, "transformers")
        try:
            server.serve_forever()
        finally:
            server.server_close()
        sys.stdout.flush()
