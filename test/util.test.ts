import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendJsonl, readJsonl, writeFileAtomic } from "../lib/util/files";
import { REPO_ROOT, repoPath } from "../lib/util/profile";
import { percentToCells } from "../scripts/notebooks";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-"));

test("appendJsonl after a torn last line resumes on a fresh line", (t) => {
  const f = path.join(tmp(), "runs.jsonl");
  appendJsonl(f, [{ a: 1 }]);
  fs.appendFileSync(f, '{"a": 2, "b"'); // a run killed mid-write
  t.deepEqual(readJsonl(f), [{ a: 1 }]);
  appendJsonl(f, [{ a: 3 }]);
  t.deepEqual(readJsonl(f), [{ a: 1 }, { a: 3 }]);
});

test("readJsonl names the malformed line when it is not the last", (t) => {
  const f = path.join(tmp(), "bad.jsonl");
  fs.writeFileSync(f, '{"a":1}\nnot json\n{"a":2}\n');
  t.throws(() => readJsonl(f), { message: /bad\.jsonl:2 is not valid JSON/ });
});

test("writeFileAtomic leaves no temp file behind", (t) => {
  const d = tmp();
  writeFileAtomic(path.join(d, "x.txt"), "hello");
  t.deepEqual(fs.readdirSync(d), ["x.txt"]);
  t.is(fs.readFileSync(path.join(d, "x.txt"), "utf8"), "hello");
});

test("percent-format notebooks split into markdown and code cells", (t) => {
  const cells = percentToCells("// %% [markdown]\n// # Title\n// text\n\n// %%\nconst x = 1;\nx\n");
  t.is(cells.length, 2);
  t.is(cells[0].cell_type, "markdown");
  t.deepEqual(cells[0].source, ["# Title\n", "text"]);
  t.deepEqual(cells[1].source, ["const x = 1;\n", "x"]);
});

test("repoPath shows paths inside the repository relative to its root, others as given", (t) => {
  t.is(repoPath(path.join(REPO_ROOT, "results", "ci", "eval")), path.join("results", "ci", "eval"));
  t.is(repoPath(REPO_ROOT), ".");
  t.is(repoPath("results/ci"), "results/ci");
  const outside = path.join(os.tmpdir(), "elsewhere.jsonl");
  t.is(repoPath(outside), outside);
  // A sibling whose name starts with the root's is outside, not "../…"-relative or cut short.
  t.is(repoPath(REPO_ROOT + "-other/x"), REPO_ROOT + "-other/x");
});
