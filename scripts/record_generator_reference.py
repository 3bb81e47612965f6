#!/usr/bin/env python3
"""Record reference outputs of Robotouille's ORIGINAL procedural generator and of CPython's `random`.

Dev-time only: reads the original sources straight from a git directory of portal-cornell/robotouille
(a clone's .git or a bare mirror; branch `release`), imports them unchanged, and writes

  test/fixtures/generator_reference.jsonl   one line per (task, seed, noisy) layout
  test/fixtures/cpython_random.json         CPython `random.Random` streams for many seeds

The committed tests (test/kitchen-data*.test.ts) compare the TypeScript port with these files and
never need the original. Regenerate with

  python3 scripts/record_generator_reference.py --git-dir PATH/TO/robotouille/.git   (or ROBOTOUILLE_GIT=…)

The pipeline reproduced here is the original's `create_robotouille_env` up to the point where object
names get their ids: `builder.load_environment` (sort each field by (x, y)), then, for a seed,
`robotouille_env._procedurally_generate` (call `randomize_environment(json, seed, noisy)` and retry
with seed + 1 while it raises — re-stated below in three lines because that module imports the
renderer and pddlgym), then `builder.build_objects` (sort again, number each kind 1, 2, …).
"""
import argparse
import copy
import hashlib
import importlib
import json
import os
import random
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BRANCH = "release"
GEN_DIR = "environments/env_generator"

TASKS = [
    "synchronous/0_cheese_sandwich",
    "synchronous/1_lettuce_sandwich",
    "synchronous/2_lettuce_tomato_sandwich",
    "synchronous/3_burger",
    "synchronous/4_cheeseburger",
    "synchronous/5_double_cheeseburger",
    "synchronous/6_lettuce_tomato_cheeseburger",
    "synchronous/7_two_lettuce_chicken_sandwich",
    "synchronous/8_two_lettuce_tomato_burger",
    "synchronous/9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich",
    "synchronous_train/0_cheese_onion_sandwich",
]
EVAL_SEEDS = [42, 84, 126, 168, 210, 252, 294, 336, 378, 420]
BIG_SEEDS = [2**31 - 1, 2**32, 2**32 + 5, 2**53 - 1, 2**53 + 1, 10**20, 2**64 + 12345]
SEEDS = sorted(set(list(range(0, 201)) + EVAL_SEEDS + [1000, 4242, 65536, 123456789]))
NOISY_SEEDS = list(range(0, 41)) + EVAL_SEEDS
# Layouts written out in full (the rest only as hashes), for readable diffs.
FULL_SEEDS = set([None] + EVAL_SEEDS)


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True).stdout


def import_original(git_dir, workdir):
    """Materialise environments/env_generator (sources + examples) as a package and import it."""
    pkg = os.path.join(workdir, "env_generator")
    os.makedirs(pkg)
    open(os.path.join(pkg, "__init__.py"), "w").close()
    for name in ["builder.py", "procedural_generator.py", "object_enums.py"]:
        with open(os.path.join(pkg, name), "wb") as f:
            f.write(git(git_dir, "show", f"{BRANCH}:{GEN_DIR}/{name}"))
    for task in TASKS:
        path = os.path.join(pkg, "examples", task + ".json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(git(git_dir, "show", f"{BRANCH}:{GEN_DIR}/examples/{task}.json"))
    sys.path.insert(0, workdir)
    builder = importlib.import_module("env_generator.builder")
    generator = importlib.import_module("env_generator.procedural_generator")
    return builder, generator


def procedurally_generate(generator, environment_json, seed, noisy):
    """robotouille/robotouille_env.py::_procedurally_generate, minus its prints."""
    while True:
        try:
            return generator.randomize_environment(environment_json, seed, noisy), seed
        except Exception:
            seed += 1


def to_layout(updated):
    """build_objects' output → the Layout record (docs/design.md): ids in names, tags dropped."""

    def station(s):
        out = {"name": s["name"], "x": s["x"], "y": s["y"]}
        if "predicates" in s:
            out["predicates"] = s["predicates"]
        return out

    def item(i):
        out = {"name": i["name"], "x": i["x"], "y": i["y"], "stack-level": i["stack-level"]}
        if "predicates" in i:
            out["predicates"] = i["predicates"]
        return out

    def player(p):
        return {"name": p["name"], "x": p["x"], "y": p["y"], "direction": list(p["direction"])}

    return {
        "width": updated["width"],
        "height": updated["height"],
        "stations": [station(s) for s in updated["stations"]],
        "items": [item(i) for i in updated.get("items", [])],
        "players": [player(p) for p in updated.get("players", [])],
        "goal": updated["goal"],
        "goal_description": updated["goal_description"],
    }


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def sha(obj):
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:16]


def record_generator(builder, generator, out_path):
    lines = []
    for task in TASKS:
        for noisy, seeds in [(False, [None] + SEEDS + BIG_SEEDS), (True, NOISY_SEEDS)]:
            for seed in seeds:
                if noisy and seed is None:
                    continue
                env = builder.load_environment(task + ".json")
                effective = None
                randomized = None
                if seed is not None:
                    randomized, effective = procedurally_generate(generator, copy.deepcopy(env), seed, noisy)
                    env = randomized
                _, updated = builder.build_objects(env)
                for field in builder.ENTITY_FIELDS:
                    for entity in updated.get(field, []):
                        entity.pop("typed_enum", None)
                layout = to_layout(updated)
                rec = {"task": task.split("/")[1], "seed": seed if seed is None or seed < 2**53 else str(seed)}
                if noisy:
                    rec["noisy"] = True
                if seed is not None:
                    rec["effective_seed"] = effective if effective < 2**53 else str(effective)
                    rec["generated_sha"] = sha(randomized)
                rec["layout_sha"] = sha(layout)
                if seed in FULL_SEEDS and not noisy:
                    rec["layout"] = layout
                lines.append(json.dumps(rec, separators=(",", ":")))
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def record_random(out_path):
    """CPython random.Random streams: the methods the generator calls, for many kinds of seeds."""
    seeds = [0, 1, 2, 5, 42, 84, 420, 12345, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 5, 2**53 - 1,
             2**53 + 1, 10**20, 2**64 - 1, 2**64, 2**64 + 12345, 3**100, -1, -42, -(2**40)]
    cases = []
    for s in seeds:
        r = random.Random(s)
        case = {"seed": str(s)}
        case["random"] = [r.random() for _ in range(20)]
        case["getrandbits"] = [[k, str(r.getrandbits(k))] for k in [0, 1, 2, 5, 8, 16, 31, 32, 33, 48, 53, 64, 65, 100, 128, 200]]
        case["randrange1"] = [r.randrange(n) for n in [1, 2, 3, 5, 7, 25, 100, 1000, 2**31, 2**32, 2**32 + 1, 2**40 + 3, 2**53 - 1]]
        case["randrange2"] = [r.randrange(a, b) for a, b in [(0, 25), (0, 5), (0, 1), (-5, 5), (10, 11), (3, 1000), (-(2**40), 2**40)]]
        case["randrange3"] = [r.randrange(a, b, c) for a, b, c in [(0, 10, 2), (1, 10, 3), (10, 0, -1), (10, -10, -3), (0, 1, 5), (0, 100, 7)]]
        case["randint"] = [r.randint(a, b) for a, b in [(0, 0), (0, 1), (1, 6), (-3, 3), (0, 2**33)]]
        case["choice"] = [r.choice(seq) for seq in [[7], [1, 2], list(range(5)), list(range(10)), list(range(25))]]
        x = list(range(25))
        r.shuffle(x)
        y = list(range(7))
        r.shuffle(y)
        case["shuffle"] = [x, y]
        case["after"] = [r.random() for _ in range(5)]
        # A long stream: exercises the state regeneration (624 words) many times.
        case["long_randrange25"] = [r.randrange(0, 25) for _ in range(1500)]
        cases.append(case)
    with open(out_path, "w") as f:
        json.dump({"python": sys.version.split()[0], "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    return len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--git-dir", default=os.environ.get("ROBOTOUILLE_GIT"),
                    help="git directory of portal-cornell/robotouille (default: $ROBOTOUILLE_GIT)")
    ap.add_argument("--out", default=os.path.join(REPO_ROOT, "test", "fixtures"))
    args = ap.parse_args()
    if not args.git_dir:
        ap.error("name the original with --git-dir or ROBOTOUILLE_GIT")
    os.makedirs(args.out, exist_ok=True)
    commit = git(args.git_dir, "rev-parse", BRANCH).decode().strip()
    with tempfile.TemporaryDirectory() as workdir:
        builder, generator = import_original(args.git_dir, workdir)
        n = record_generator(builder, generator, os.path.join(args.out, "generator_reference.jsonl"))
    m = record_random(os.path.join(args.out, "cpython_random.json"))
    print(f"robotouille {BRANCH}@{commit[:8]}, Python {sys.version.split()[0]}: {n} layouts, {m} random streams")


if __name__ == "__main__":
    main()
