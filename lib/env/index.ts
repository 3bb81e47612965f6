/**
 * The environment registry: every task id resolves to its family (lib/env/robotouille.ts,
 * lib/env/cookingworld.ts), and an episode starts through it. Above this module nothing knows which
 * engine plays a task.
 */
import { UserError } from "../util/errors";
import type { EnvFamily } from "./family";
import { cookingworld } from "./cookingworld";
import { robotouille } from "./robotouille";
import type { EnvName, EnvTask, TextEnv } from "./types";

export type { EnvFamily, EnvPrompt } from "./family";
export type { EnvName, EnvTask, TextEnv } from "./types";

export const ENV_FAMILIES: readonly EnvFamily[] = [robotouille, cookingworld];

/** The family of a name (`robotouille`, `cookingworld`). */
export function envFamily(name: EnvName): EnvFamily {
  const f = ENV_FAMILIES.find((x) => x.name === name);
  if (!f) throw new UserError(`unknown environment "${name}" (known: ${ENV_FAMILIES.map((x) => x.name).join(", ")})`);
  return f;
}

/** The family that plays a task id. */
export function familyOf(task: string): EnvFamily {
  const f = ENV_FAMILIES.find((x) => x.owns(task));
  if (!f) throw new UserError(`unknown task ${JSON.stringify(task)} (known: ${knownTaskIds().join(", ")})`);
  return f;
}

/** Every task id, each family's paper-style tasks first. */
export function knownTaskIds(): string[] {
  return ENV_FAMILIES.flatMap((f) => [...f.paperTasks, ...f.allTasks.filter((t) => !f.paperTasks.includes(t))]);
}

/** A task id → its task; unknown ids are a one-line UserError listing the known ones. */
export function resolveTask(id: string): EnvTask {
  return familyOf(typeof id === "string" ? id.trim() : id).resolve(typeof id === "string" ? id.trim() : id);
}

export function isTaskId(id: string): boolean {
  return ENV_FAMILIES.some((f) => f.owns(id));
}

/** A fresh episode of a task on layout or game `seed`. */
export function makeEnv(task: string | EnvTask, seed: number | bigint | null): TextEnv {
  const t = typeof task === "string" ? resolveTask(task) : task;
  return envFamily(t.env).make(t, seed);
}
