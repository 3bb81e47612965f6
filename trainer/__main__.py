"""`python -m trainer` — the Python trainer's command line (lib/trainer-client spawns it; so can you).

    python -m trainer sft   --config trainer/configs/paper-sft.yaml  [--set KEY=VALUE]...
    python -m trainer grpo  --config trainer/configs/paper-grpo.yaml [--set KEY=VALUE]...
    python -m trainer serve --model DIR_OR_HUB_ID [--name NAME] [--host 127.0.0.1] [--port 0]
                            [--backend auto|transformers|vllm] [-- extra vllm serve flags]
    python -m trainer reward < cases.jsonl     # {completion, expert_action, valid_actions, acceptable?} → {reward,…}
    python -m trainer steps --config FILE [--set KEY=VALUE]... [--rows N] [--world-size W]
                                               # the optimizer steps TRL will take (JSON), nothing trained

Multi-GPU / multi-node: `accelerate launch --config_file trainer/accelerate/<zero2|zero3|fsdp>.yaml
-m trainer grpo --config …` (README "GPU"). A mistake in the config or the data prints one line,
`trainer <command>: <what is wrong>`, and exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .data import TrainerError


def die_with_parent() -> None:
    """lib/trainer-client sets STGRPO_DIE_WITH_PARENT=1: a run or server whose notebook kernel or CLI died
    (even by SIGKILL, when no exit hook runs) must not live on, holding a port or a run directory."""
    if os.environ.get("STGRPO_DIE_WITH_PARENT") != "1" or not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (`trainer serve: --port: invalid int value`), exit 2."""

    def error(self, message: str):  # noqa: D401 (argparse's hook)
        self.exit(2, f"{self.prog.replace('python -m ', '')}: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    die_with_parent()
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    parser = OneLineParser(prog="python -m trainer", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for stage in ("sft", "grpo"):
        p = sub.add_parser(stage, help=f"train ({stage}) from a config file; rerun to resume")
        p.add_argument("--config", required=True)
        p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a dotted config key")
    p = sub.add_parser("serve", help="serve a model on an OpenAI-compatible endpoint")
    p.add_argument("--model", required=True)
    p.add_argument("--name", default=None, help="the model name /v1/models reports (default: the model path)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed in the ready line)")
    p.add_argument("--backend", choices=["auto", "transformers", "vllm"], default="auto")
    p.add_argument("--seed", type=int, default=0)
    sub.add_parser("reward", help="score JSONL cases from stdin with the single-turn reward")
    p = sub.add_parser("steps", help="print the optimizer steps a config takes on its dataset (JSON); trains nothing")
    p.add_argument("--config", required=True)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a dotted config key")
    p.add_argument("--rows", type=int, default=None, help="dataset rows (default: count the config's dataset)")
    p.add_argument("--world-size", type=int, default=int(os.environ.get("WORLD_SIZE", "1")), help="training processes (GPUs)")
    args = parser.parse_args(argv)
    try:
        if args.command in ("sft", "grpo"):
            from .config import load_config
            from .train import run

            run(load_config(args.config, args.set, stage=args.command))
        elif args.command == "steps":
            from .config import load_config, optimizer_steps
            from .data import read_rows

            cfg = load_config(args.config, args.set)
            rows = args.rows if args.rows is not None else len(read_rows(cfg["dataset"]))
            print(json.dumps(optimizer_steps(cfg, rows, args.world_size)))
        elif args.command == "serve":
            from .serve import serve

            serve(args.model, name=args.name, host=args.host, port=args.port, backend=args.backend, seed=args.seed, extra=extra)
        else:
            from .reward import score_reply

            for line in sys.stdin.read().split("\n"):
                if line.strip():
                    c = json.loads(line)
                    s = score_reply(c["completion"], c["expert_action"], c["valid_actions"], c.get("acceptable") or ())
                    print(json.dumps(s._asdict()))
    except TrainerError as e:
        print(f"trainer {args.command}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"trainer {args.command}: interrupted (rerun the same command to resume)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
