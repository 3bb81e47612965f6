/**
 * The test vectors recorded from the original Robotouille engine, vendored under data/testdata/: one place
 * that finds them, so no test silently skips when they are missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Layout } from "../../lib/kitchen/layout";

const TESTDATA = path.join(__dirname, "..", "..", "data", "testdata");

/** The path of a vendored test-vector file (`layouts.json`, `optimal_walks.jsonl`, …); throws if absent. */
export function testdata(file: string): string {
  const f = path.join(TESTDATA, file);
  if (!fs.existsSync(f)) throw new Error(`${f} not found: the vendored test vectors are missing`);
  return f;
}

/** Every recorded layout, keyed `synchronous/<stem>@<default|seed>`. */
export function testLayouts(): Record<string, Layout> {
  return JSON.parse(fs.readFileSync(testdata("layouts.json"), "utf8"));
}

/** One recorded layout, e.g. `testLayout("synchronous/3_burger@default")`. */
export function testLayout(name: string): Layout {
  const layout = testLayouts()[name];
  if (!layout) throw new Error(`no recorded layout ${name} in data/testdata/layouts.json`);
  return layout;
}
