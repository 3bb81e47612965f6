"""Play CookingWorld games through textworld-express's own Python API (py4j), for the ava tests that
compare our engine client with it (test/cookingworld-python.test.ts).

stdin: JSON {"games": [{"task", "params", "seed", "fold", "random_steps"}], "paths": [{"params", "seed",
"fold", "actions"}]}. For each game: reset with the gold path, follow the engine's gold sequence, then reset
again and take `random_steps` valid actions chosen by random.Random(seed) (from the sorted valid actions).
For each path: reset and follow the given actions. stdout: JSON with every state seen (after reset and
after each action), as the Python API reports it.
"""
import json
import random
import sys

from textworld_express import TextWorldExpressEnv


def state(obs, infos, action=None, valid=True):
    return {
        "action": action,
        "valid": valid,
        "observation": obs,
        "look": infos["look"],
        "inventory": infos["inventory"],
        "validActions": infos["validActions"],
        "score": infos["score"],
        "scoreRaw": infos["scoreRaw"],
        "success": infos["tasksuccess"],
        "failure": infos["taskfailure"],
        "goal": infos["taskDescription"],
    }


def reset(env, params, seed, fold, gold=False):
    # load() (a new generator, reading the data files) only when the level changes, as a user would.
    fresh = env.gameParams != params
    return env.reset(seed=seed, gameFold=fold, gameName="cookingworld" if fresh else None, gameParams=params if fresh else None, generateGoldPath=gold)


def play(env, params, seed, fold, actions, gold=False):
    obs, infos = reset(env, params, seed, fold, gold)
    states = [state(obs, infos)]
    if gold:
        actions = env.getGoldActionSequence()
    for a in actions:
        valid = a in infos["validActions"]
        obs, _reward, _done, infos = env.step(a)
        states.append(state(obs, infos, a, valid))
    return actions, states


def main():
    req = json.load(sys.stdin)
    env = TextWorldExpressEnv(envStepLimit=10_000)
    out = {"games": [], "paths": []}
    try:
        for g in req["games"]:
            gold, gold_states = play(env, g["params"], g["seed"], g["fold"], [], gold=True)
            obs, infos = reset(env, g["params"], g["seed"], g["fold"])
            rng = random.Random(g["seed"])
            walk = [state(obs, infos)]
            for _ in range(g["random_steps"]):
                a = rng.choice(sorted(infos["validActions"]))
                obs, _reward, _done, infos = env.step(a)
                walk.append(state(obs, infos, a))
            out["games"].append({"task": g["task"], "seed": g["seed"], "gold": gold, "goldStates": gold_states, "walk": walk})
        for p in req.get("paths", []):
            _, states = play(env, p["params"], p["seed"], p["fold"], p["actions"])
            out["paths"].append(states)
    finally:
        env.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
