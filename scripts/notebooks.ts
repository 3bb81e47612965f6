/**
 * Notebooks are authored as percent-format TypeScript (`notebooks/src/NN-name.ts`: `// %%` starts a
 * code cell, `// %% [markdown]` a Markdown cell whose lines are `// `-comments), which diff and
 * review like code. This script turns them into the `notebooks/NN-name.ipynb` files that Jupyter
 * opens and the runner executes. `--check` fails when a committed .ipynb is stale.
 *
 *   npx tsx scripts/notebooks.ts [--check]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../lib/util/files";

const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "notebooks", "src");
const OUT = path.join(ROOT, "notebooks");

interface Cell {
  cell_type: "code" | "markdown";
  metadata: Record<string, unknown>;
  source: string[];
  execution_count?: null;
  outputs?: unknown[];
}

export function percentToCells(text: string): Cell[] {
  const cells: Cell[] = [];
  let current: { kind: "code" | "markdown"; lines: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    while (current.lines.length && current.lines[current.lines.length - 1].trim() === "") current.lines.pop();
    while (current.lines.length && current.lines[0].trim() === "") current.lines.shift();
    if (current.lines.length) {
      const source = current.lines.map((l, i) => (i < current!.lines.length - 1 ? l + "\n" : l));
      cells.push(
        current.kind === "code"
          ? { cell_type: "code", metadata: {}, source, execution_count: null, outputs: [] }
          : { cell_type: "markdown", metadata: {}, source },
      );
    }
    current = null;
  };
  for (const line of text.split("\n")) {
    const marker = /^\/\/ %%(.*)$/.exec(line);
    if (marker) {
      flush();
      current = { kind: marker[1].includes("[markdown]") ? "markdown" : "code", lines: [] };
      continue;
    }
    if (!current) current = { kind: "code", lines: [] };
    current.lines.push(current.kind === "markdown" ? line.replace(/^\/\/ ?/, "") : line);
  }
  flush();
  return cells;
}

export function toNotebook(cells: Cell[]): string {
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: "TypeScript", language: "typescript", name: "tslab" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  // Stable cell ids so regenerating gives identical files.
  nb.cells.forEach((c, i) => ((c as any).id = `cell-${String(i).padStart(3, "0")}`));
  return JSON.stringify(nb, null, 1) + "\n";
}

export function buildAll(check: boolean): string[] {
  const stale: string[] = [];
  if (!fs.existsSync(SRC)) return stale;
  for (const file of fs.readdirSync(SRC).filter((f) => f.endsWith(".ts")).sort()) {
    const target = path.join(OUT, file.replace(/\.ts$/, ".ipynb"));
    const text = toNotebook(percentToCells(fs.readFileSync(path.join(SRC, file), "utf8")));
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
    if (current === text) continue;
    stale.push(path.relative(ROOT, target));
    if (!check) writeFileAtomic(target, text);
  }
  return stale;
}

if (require.main === module) {
  const check = process.argv.includes("--check");
  const stale = buildAll(check);
  if (check && stale.length) {
    console.error(`stale notebooks (run \`npx tsx scripts/notebooks.ts\`): ${stale.join(", ")}`);
    process.exit(1);
  }
  for (const s of stale) console.log(`wrote ${s}`);
}
