/**
 * Notebook 04's computations: the evaluation-layout study, its tables, and its figures (rendered).
 */
import test from "ava";
import { toSvg } from "../lib/viz/render";
import { ambiguityByTask, ambiguityFigure, ambiguityTable, codeBlock, datasetTable, evalLayoutStudy, layoutDetailTable, optimalLengthFigure, optimalLengthTable, trajectoryTable } from "../lib/workflows/kitchen-and-expert";
import { generateExpertData } from "../lib/dataset/index";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

test("evalLayoutStudy: optimal lengths, limits, timeouts, states, ambiguity; tables and figures", async (t) => {
  const rows = evalLayoutStudy({ tasks: ["burger", "cheese_sandwich"], seeds: [84, 420], stateCap: 2000 });
  t.deepEqual(rows.map((r) => [r.task, r.seed, r.effectiveSeed, r.optimal]), [
    ["burger", null, null, 8],
    ["burger", 84, 84, 12],
    ["burger", 420, 420, 8],
    ["cheese_sandwich", null, null, 8],
    ["cheese_sandwich", 84, 84, 8],
    ["cheese_sandwich", 420, 421, 5],
  ]);
  t.true(rows.every((r) => r.stepLimit === 10 && r.timeout === 15));
  const burger = rows[0];
  t.true(burger.statesComplete);
  t.is(burger.states, 288);
  t.false(rows[1].statesComplete);
  const table = optimalLengthTable(rows);
  t.regex(table, /\| burger \| 10 \| 15 \| 8 \| \*\*12\*\* \| 8 \| 1 \| 0 \|/);
  t.regex(layoutDetailTable(rows), /\| cheese_sandwich \| 420 \(plays 421\) \| 5 \|/);
  t.regex(layoutDetailTable(rows), /\| burger \| default \| 8 \| 288 \|/);
  const amb = ambiguityByTask(rows);
  t.deepEqual(Object.keys(amb), ["burger", "cheese_sandwich"]);
  t.is(amb.burger.states, 8 + 12 + 8);
  t.regex(ambiguityTable(amb), /^\| task \| expert states \(eval\)/);
  t.regex(trajectoryTable(burger.trajectory), /\| 0 \| Move robot1 from table1 to table3 \| 1 \| 4 \| 8 \|/);
  t.is(codeBlock("a\nb"), "```text\na\nb\n```");
  const svg1 = await toSvg(optimalLengthFigure(rows));
  t.true(svg1.startsWith("<svg"));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-study-"));
  const stats = generateExpertData({ tasks: ["burger"], perTask: 3 }, { root });
  t.regex(datasetTable(stats), /\| burger \| 2\/1 \|/);
  t.true((await toSvg(ambiguityFigure(amb, stats))).startsWith("<svg"));
  t.regex(ambiguityTable(amb, stats), /training states/);
});
