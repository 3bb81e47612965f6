/**
 * Large outputs through real pipes (bash pipelines, the way scripts use the CLI): every byte arrives
 * and the exit status is the command's. Before cli/output.ts, `process.exit()` dropped whatever a pipe
 * had not yet taken: the replay gave 67, 203, 130 of 3009 lines with exit 0, and a reader that
 * waits a moment got exactly the first 64 KiB, stdout or stderr alike.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inBatches, runShell, STACK_FRAME } from "./helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-pipes-"));
const STGRPO = `${JSON.stringify(process.execPath)} bin/stgrpo`;
/**
 * The input: the optimal burger plan (its summary on stderr dropped), then 3000 × "Do nothing"
 * (`seq | sed` rather than the issue's `yes | head`, whose SIGPIPE'd `yes` would fail the pipeline
 * under pipefail).
 */
const ACTIONS = `(${STGRPO} plan burger 2>/dev/null; seq 3000 | sed "s/.*/Do nothing/")`;

test("the issue's pipeline: replay → wc -l gives all 3009 lines, 20 runs out of 20", async (t) => {
  const runs = await inBatches(
    Array.from({ length: 20 }, () => () => runShell(`${ACTIONS} | ${STGRPO} replay burger | wc -l`)),
    4,
  );
  for (const r of runs) {
    t.false(r.timedOut);
    t.is(r.status, 0, r.stderr);
    t.is(r.stdout.trim(), "3009", r.stderr);
  }
});

test("a slow reader gets the same bytes as a file redirect (stdout, 3009 lines)", async (t) => {
  const file = path.join(tmp, "replay.jsonl");
  const ref = await runShell(`${ACTIONS} | ${STGRPO} replay burger > ${file}`);
  t.is(ref.status, 0, ref.stderr);
  const expected = fs.readFileSync(file, "utf8");
  t.is(expected.split("\n").length, 3010);
  t.is(JSON.parse(expected.trimEnd().split("\n").pop()!).t, 3008);
  // The reader sleeps before reading: the pipe fills, and the rest must wait for it, not be dropped.
  const piped = await runShell(`${ACTIONS} | ${STGRPO} replay burger | (sleep 1; cat)`);
  t.is(piped.status, 0, piped.stderr);
  t.is(piped.stdout.length, expected.length);
  t.true(piped.stdout === expected, "byte for byte");
});

test("stderr past 128 KiB through a slow pipe arrives whole, with the command's exit status", async (t) => {
  // An invalid action of 300 000 characters: replay's one-line error names it, so stderr is ~300 KB.
  const action = "x".repeat(300_000);
  fs.writeFileSync(path.join(tmp, "long.txt"), action + "\n");
  const r = await runShell(`${STGRPO} replay burger < ${path.join(tmp, "long.txt")} 2>&1 >/dev/null | (sleep 1; cat)`);
  t.false(r.timedOut);
  t.is(r.status, 2, "the pipeline's status is replay's (pipefail): an invalid action");
  t.is(r.stdout, `stgrpo replay: invalid action "${action}": not one of the 4 valid actions\n`);
  t.true(r.stdout.length > 128 * 1024);
});

test("a reader that closes early (head) ends the command quietly with 141, not a stack trace", async (t) => {
  const r = await runShell(`${ACTIONS} | ${STGRPO} replay burger 2>${path.join(tmp, "err.txt")} | head -1 > /dev/null; echo "\${PIPESTATUS[1]}"`);
  t.is(r.stdout.trim(), "141");
  const err = fs.readFileSync(path.join(tmp, "err.txt"), "utf8");
  t.is(err, "", "nothing said on stderr");
  t.false(STACK_FRAME.test(err));
});

test("stdout that cannot be written (/dev/full) is one line on stderr and exit 74", async (t) => {
  const r = await runShell(`${STGRPO} layout burger > /dev/full`);
  t.is(r.status, 74);
  t.is(r.stderr, "stgrpo: cannot write to stdout: ENOSPC\n");
});
