/** The registry of subcommands; each module adds one line here. */
import type { Command } from "../command";

export const COMMANDS: Command[] = [];
