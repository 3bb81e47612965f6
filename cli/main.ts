/**
 * `stgrpo <command> …` — the headless entry point to everything the notebooks do.
 * Each subcommand lives in cli/commands/<name>.ts and is listed in COMMANDS below.
 */
import { Command } from "./command";
import { UserError, errorMessage, systemErrorLine } from "../lib/util/errors";
import { writeErr, writeOut } from "./output";
import { COMMANDS } from "./commands/index";

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: stgrpo <command> [options]",
    "",
    "Single-turn GRPO for multi-turn task planning (arXiv 2509.20616): theory, kitchen, expert,",
    "evaluation, training and the paper's tables.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `stgrpo <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    writeOut(help() + "\n");
    return name ? 0 : 1;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    writeErr(`stgrpo: unknown command "${name}" (known: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    writeOut(command.usage.trimEnd() + "\n");
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UserError) {
      writeErr(`stgrpo ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    const system = systemErrorLine(e);
    if (system !== null) {
      writeErr(`stgrpo ${name}: ${system}\n`);
      return 1;
    }
    // A bug, not a user mistake: keep the stack, it is what a maintainer needs.
    writeErr(`stgrpo ${name}: internal error: ${errorMessage(e)}\n${(e as Error)?.stack ?? ""}\n`);
    return 70;
  }
}
