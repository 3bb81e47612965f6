/**
 * tslab (the notebooks' kernel) compiles each lib file to a virtual .js beside it and resolves
 * imports file by file: a directory import ("../kitchen") finds no index.js and fails at run time,
 * although tsc and tsx accept it. So lib code must name files ("../kitchen/index").
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const IMPORT = /(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']*)["']/g;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

test("lib and notebooks import files, never directories (tslab resolves no index)", (t) => {
  const offenders: string[] = [];
  const files = [...tsFiles(path.join(ROOT, "lib")), ...tsFiles(path.join(ROOT, "notebooks", "src"))];
  for (const file of files) {
    const base = file.includes(`${path.sep}notebooks${path.sep}src${path.sep}`) ? path.join(ROOT, "notebooks") : path.dirname(file);
    for (const m of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = path.resolve(base, m[1]);
      if (fs.existsSync(target) && fs.statSync(target).isDirectory()) offenders.push(`${path.relative(ROOT, file)}: "${m[1]}"`);
    }
  }
  t.true(files.length > 10);
  t.deepEqual(offenders, []);
});
