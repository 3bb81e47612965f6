/** The registry of subcommands; each module adds one line here. */
import type { Command } from "../command";
import { layout } from "./layout";
import { observe } from "./observe";
import { replay } from "./replay";
import { reward } from "./reward";
import { train } from "./train";
import { tables } from "./tables";
import { evalCommand } from "./eval";
import { plan } from "./plan";
import { expert } from "./expert";
import { theory } from "./theory";
import { study } from "./study";
import { trainer } from "./trainer";

export const COMMANDS: Command[] = [layout, observe, replay, reward, train, tables, evalCommand, plan, expert, theory, study, trainer];
