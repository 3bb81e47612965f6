/**
 * The layers are written once (scripts/layers.cjs, which .dependency-cruiser.cjs turns into the rules
 * `make layers` checks); the design record and the README show the same table.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { LAYERS } = require(path.join(ROOT, "scripts", "layers.cjs")) as { LAYERS: string[][] };

/** The layer table between the layers markers of a Markdown file: layer number → its modules. */
function tableOf(file: string): string[][] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const a = text.indexOf("<!-- layers:begin -->");
  const b = text.indexOf("<!-- layers:end -->");
  if (a < 0 || b < a) throw new Error(`${file} has no layers table`);
  const rows = text
    .slice(a, b)
    .split("\n")
    .filter((l) => /^\| \d+ \|/.test(l));
  return rows.map((l) => {
    const cells = l.split("|").map((c) => c.trim());
    return [...cells[2].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
  });
}

test("scripts/layers.cjs holds every lib/ directory once", (t) => {
  const dirs = fs.readdirSync(path.join(ROOT, "lib"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  t.deepEqual([...LAYERS.flat()].sort(), dirs);
});

for (const file of ["docs/design.md", "README.md"]) {
  test(`${file} shows the layers of scripts/layers.cjs`, (t) => {
    t.deepEqual(tableOf(file), LAYERS);
  });
}
