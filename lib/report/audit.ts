/**
 * An audit of published (or any) tables: do a cell's three numbers fit together?
 *
 * Per cell, with n episodes and timeout T (failures count T steps in ASAT):
 * 1. **identity**: ASAT = SR·ASST + (1 − SR)·T, within what the printed precision allows
 *    (|residual| ≤ SR·½ulp(ASST) + ½ulp(ASAT) + |T − ASST|·½ulp(SR));
 * 2. **definition**: ASST is "—" exactly when SR = 0 (it is a mean over successes);
 * 3. **reconstruction**: some n integer episodes print these numbers: k = SR·n successes with integer
 *    step counts in [1, T] summing to S, S/k rounding to the printed ASST and (S + (n − k)·T)/n to the
 *    printed ASAT;
 * 4. optionally **reachability**: given the optimal plan length of each evaluation layout (lib/expert's
 *    planner on Robotouille's seeds), k successes cannot average fewer steps than the k shortest optima.
 *    Passing it shows the published numbers are *consistent with* those layouts, not that they were
 *    played; `floorSpecificity` measures how often a random set of seeded layouts would pass too;
 * 5. across tables: the paper's SFT+GRPO row of Table 1 equals the diagonal of Tables 2–4.
 * A failing cell gets the nearest readings that would make it consistent (change one number).
 */
import { toCsv } from "./csv";
import { gridToHtml, gridToMarkdown, htmlEscape } from "./markup";
import { DASH, fixed, roundTo } from "./numbers";
import type { Grid, GridCell } from "./grid";
import { cellText } from "./grid";
import { taskTitle } from "./paper";
import type { CellStats, ResultSet } from "./types";
import { Rng } from "../util/rng";

export interface Reconstruction {
  /** Successful episodes. */
  k: number;
  /** Sum of their step counts. */
  S: number;
}

export interface AuditCell {
  table: "table1" | "cross_task";
  task: string;
  model: string;
  trained_on?: string;
  sr: string;
  asat: string;
  asst: string;
  n: number;
  timeout: number | null;
  /** SR·ASST + (1 − SR)·T (ASST taken as 0 when "—"). */
  predicted_asat: number | null;
  residual: number | null;
  tolerance: number | null;
  identity_ok: boolean | null;
  definition_ok: boolean;
  reconstructions: Reconstruction[];
  reconstructible: boolean | null;
  /** The fewest steps k successes can average: the mean of the k shortest optimal plans (null: not checked). */
  asst_floor: number | null;
  reachable: boolean | null;
  ok: boolean;
  problems: string[];
  /** Readings that change one printed number and make the cell consistent. */
  alternatives: string[];
}

export interface AuditOptions {
  /** Per task, the optimal plan length of each evaluation layout (optima.ts), if known. */
  optima?: Record<string, number[]>;
}

const half = (decimals: number | undefined) => (decimals === undefined ? 1e-9 : 0.5 * 10 ** -decimals);

/** Does `x` print as `value` at `decimals`? (Ours, without decimals: equal within 1e-9.) */
function printsAs(x: number, value: number, decimals: number | undefined): boolean {
  return decimals === undefined ? Math.abs(x - value) < 1e-9 : roundTo(x, decimals) === roundTo(value, decimals);
}

interface Readings {
  k: (k: number) => boolean;
  asst: (k: number, S: number) => boolean;
  asat: (total: number) => boolean;
}

/** Every (k, S) that reproduces the readings with n integer episodes, each success in [1, T] steps. */
export function reconstruct(n: number, T: number, r: Readings, limit = 50): Reconstruction[] {
  const out: Reconstruction[] = [];
  for (let k = 0; k <= n; k++) {
    if (!r.k(k)) continue;
    for (let S = k; S <= k * T; S++) {
      if (!r.asst(k, S)) continue;
      if (!r.asat(S + (n - k) * T)) continue;
      out.push({ k, S });
      if (out.length >= limit) return out;
    }
  }
  return out;
}

function readingsOf(c: CellStats): Readings {
  const d = c.decimals ?? {};
  return {
    k: (k) => printsAs(k / c.n, c.sr, d.sr),
    asst: (k, S) => (c.asst === null ? k === 0 : k > 0 && printsAs(S / k, c.asst, d.asst)),
    asat: (total) => printsAs(total / c.n, c.asat, d.asat),
  };
}

function describe(rs: Reconstruction[], n: number, T: number): string {
  const r = rs[0];
  if (r.k === 0) return `no success in ${n}`;
  const asst = r.S / r.k;
  return `${r.k} success${r.k > 1 ? "es" : ""} in ${n} taking ${r.S} steps in all (ASST ${fixed(asst, 2)}${r.k === 1 && r.S === T ? ", exactly the timeout" : ""})`;
}

/** The fewest steps k successes can average: the mean of the k shortest optimal plans. */
export function asstFloor(optima: readonly number[], k: number): number {
  return [...optima].sort((a, b) => a - b).slice(0, k).reduce((a, b) => a + b, 0) / k;
}

/** Does a printed ASST reach the floor, allowing for its rounding? */
const clearsFloor = (asst: number, floor: number, decimals: number | undefined) => asst + half(decimals) + 1e-9 >= floor;

/** Does a printed ASST sit exactly on the floor (the floor prints as the ASST)? */
const onFloor = (asst: number, floor: number, decimals: number | undefined) => printsAs(floor, asst, decimals);

export function auditCell(c: CellStats, where: { table: "table1" | "cross_task"; task: string; model: string; trained_on?: string }, opts: AuditOptions = {}): AuditCell {
  const T = c.timeout;
  const d = c.decimals ?? {};
  const problems: string[] = [];
  const alternatives: string[] = [];
  const definition_ok = (c.sr === 0) === (c.asst === null);
  if (!definition_ok) {
    problems.push(c.sr === 0 ? `ASST ${cellText(c, "asst")} is printed although SR is 0 (no success to average over)` : `ASST is "—" although SR is ${cellText(c, "sr")}`);
  }
  let predicted: number | null = null;
  let residual: number | null = null;
  let tolerance: number | null = null;
  let identity_ok: boolean | null = null;
  let reconstructions: Reconstruction[] = [];
  let reconstructible: boolean | null = null;
  if (T !== null) {
    const asst = c.asst ?? 0;
    predicted = c.sr * asst + (1 - c.sr) * T;
    residual = predicted - c.asat;
    tolerance = c.sr * half(d.asst) + half(d.asat) + Math.abs(T - (c.asst ?? T)) * half(d.sr) + 1e-9;
    identity_ok = Math.abs(residual) <= tolerance;
    if (!identity_ok) problems.push(`ASAT ${cellText(c, "asat")} ≠ SR·ASST + (1 − SR)·T = ${fixed(predicted, 3)} (tolerance ±${fixed(tolerance, 3)})`);
    const r = readingsOf(c);
    reconstructions = reconstruct(c.n, T, r);
    reconstructible = reconstructions.length > 0;
    if (!reconstructible) {
      problems.push(`no ${c.n} integer episodes (successes of 1…${T} steps, failures counted at ${T}) print SR ${cellText(c, "sr")}, ASAT ${cellText(c, "asat")}, ASST ${cellText(c, "asst")}`);
      const anyK = reconstruct(c.n, T, { ...r, k: () => true });
      if (anyK.length) alternatives.push(`SR ${fixed(anyK[0].k / c.n, d.sr ?? 2)} instead: ${describe(anyK, c.n, T)} gives ASAT ${cellText(c, "asat")} and ASST ${cellText(c, "asst")}`);
      const anyAsst = reconstruct(c.n, T, { ...r, asst: () => true });
      if (anyAsst.length) {
        const k0 = anyAsst[0];
        alternatives.push(`ASST ${k0.k === 0 ? DASH : fixed(k0.S / k0.k, d.asst ?? 2)} instead: ${describe(anyAsst, c.n, T)} with SR ${cellText(c, "sr")} and ASAT ${cellText(c, "asat")}`);
      }
      const anyAsat = reconstruct(c.n, T, { ...r, asat: () => true });
      if (anyAsat.length) {
        const k0 = anyAsat[0];
        alternatives.push(`ASAT ${fixed((k0.S + (c.n - k0.k) * T) / c.n, d.asat ?? 2)} instead: ${describe(anyAsat, c.n, T)}`);
      }
    }
  } else {
    problems.push("no timeout known for the task: identity not checked");
  }
  let asst_floor: number | null = null;
  let reachable: boolean | null = null;
  const optima = opts.optima?.[where.task];
  const k = Math.round(c.sr * c.n);
  if (optima && c.runs === 1 && c.asst !== null && k >= 1 && k <= optima.length) {
    asst_floor = asstFloor(optima, k);
    reachable = clearsFloor(c.asst, asst_floor, d.asst);
    if (!reachable) problems.push(`ASST ${cellText(c, "asst")} is below ${fixed(asst_floor, 2)}, the mean of the ${k} shortest optimal plans of ${where.task}'s evaluation layouts`);
  }
  return {
    ...where,
    sr: cellText(c, "sr"),
    asat: cellText(c, "asat"),
    asst: cellText(c, "asst"),
    n: c.n,
    timeout: T,
    predicted_asat: predicted,
    residual,
    tolerance,
    identity_ok,
    definition_ok,
    reconstructions,
    reconstructible,
    asst_floor,
    reachable,
    ok: problems.length === 0,
    problems,
    alternatives,
  };
}

export interface AuditResult {
  cells: AuditCell[];
  failing: AuditCell[];
  /** Cross-table checks (Table 1's cross-model row vs the diagonal of Tables 2–4). */
  consistency: { task: string; ok: boolean; detail: string }[];
}

/** Audit every Table 1 and cross-task cell of a set (the published one by default in the notebook). */
export function auditTables(rs: ResultSet, opts: AuditOptions = {}): AuditResult {
  const cells: AuditCell[] = [
    ...rs.table1.map((r) => auditCell(r, { table: "table1", task: r.task, model: r.model }, opts)),
    ...rs.cross.map((r) => auditCell(r, { table: "cross_task", task: r.evaluated_on, model: r.model, trained_on: r.trained_on }, opts)),
  ];
  const consistency: AuditResult["consistency"] = [];
  if (rs.crossModel) {
    for (const task of rs.tasks) {
      const a = rs.table1.find((r) => r.task === task && r.model === rs.crossModel);
      const b = rs.cross.find((r) => r.model === rs.crossModel && r.trained_on === task && r.evaluated_on === task);
      if (!a || !b) continue;
      const same = (["sr", "asat", "asst"] as const).every((m) => (a[m] === null ? b[m] === null : b[m] !== null && Math.abs(a[m]! - b[m]!) < 1e-9));
      const show = (c: CellStats) => `${cellText(c, "sr")} / ${cellText(c, "asat")} / ${cellText(c, "asst")}`;
      consistency.push({ task, ok: same, detail: `Table 1 ${show(a)} vs Tables 2–4 diagonal ${show(b)}` });
    }
  }
  return { cells, failing: cells.filter((c) => !c.ok), consistency };
}

/** The audit as a grid: every cell, its identity residual and the checks (reachability when optima were given). */
export function auditGrid(a: AuditResult, rs: ResultSet): Grid {
  const yes = (b: boolean | null) => (b === null ? "" : b ? "✓" : "✗");
  const withOptima = a.cells.some((c) => c.asst_floor !== null);
  const rows: GridCell[][] = a.cells.map((c) => [
    { text: c.table === "table1" ? "1" : "2–4" },
    { text: c.table === "table1" ? taskTitle(c.task) : `${taskTitle(c.trained_on!)} → ${taskTitle(c.task)}` },
    { text: c.table === "table1" ? c.model : "" },
    { text: c.sr },
    { text: c.asat },
    { text: c.asst },
    { text: c.timeout === null ? "" : String(c.timeout) },
    { text: c.predicted_asat === null ? "" : fixed(c.predicted_asat, 3) },
    { text: yes(c.identity_ok) },
    { text: yes(c.definition_ok) },
    { text: yes(c.reconstructible) },
    ...(withOptima ? [{ text: c.asst_floor === null ? "" : `${yes(c.reachable)} (≥ ${fixed(c.asst_floor, 2)})` }] : []),
    { text: c.ok ? "ok" : "FAILS", bold: !c.ok },
  ]);
  const blocks: number[] = [];
  a.cells.forEach((c, i) => {
    if (i === 0 || c.table !== a.cells[i - 1].table || c.task !== a.cells[i - 1].task || c.trained_on !== a.cells[i - 1].trained_on) blocks.push(i);
  });
  return {
    id: "audit",
    label: "Audit",
    caption:
      `${rs.title}: does ASAT = SR·ASST + (1 − SR)·T hold in every cell (T: the task's timeout; within the printed precision), is ASST "—" exactly when SR = 0, and can ${rs.table1[0]?.n ?? 10} integer episodes print the cell's three numbers?` +
      (withOptima
        ? " Reachable: k = SR·n successes average at least the mean of the k shortest optimal plans among the evaluation layouts (consistency with those layouts, not proof that they were played)."
        : ""),
    header: ["Table", "Task", "Model", "SR", "ASAT", "ASST", "T", "SR·ASST+(1−SR)·T", "identity", "ASST defined iff SR>0", "integer episodes", ...(withOptima ? ["reachable (ASST floor)"] : []), "verdict"],
    align: ["c", "l", "l", "c", "c", "c", "c", "c", "c", "c", "c", ...(withOptima ? ["c" as const] : []), "c"],
    rows,
    blocks,
    notes: [
      a.failing.length ? `${a.failing.length} failing cell(s): ${a.failing.map((c) => `${c.table === "table1" ? `Table 1 ${taskTitle(c.task)} / ${c.model}` : `Tables 2–4 ${taskTitle(c.trained_on!)} → ${taskTitle(c.task)}`}`).join("; ")}.` : "Every cell is consistent.",
      ...a.consistency.filter((x) => !x.ok).map((x) => `Table 1 and Tables 2–4 disagree on ${taskTitle(x.task)}: ${x.detail}.`),
    ],
  };
}

/** Markdown bullets explaining each failing cell and what would make it consistent. */
export function auditFindings(a: AuditResult): string {
  if (!a.failing.length && a.consistency.every((c) => c.ok)) return "Every cell passes the audit.\n";
  const lines: string[] = [];
  for (const c of a.failing) {
    const where = c.table === "table1" ? `Table 1, ${taskTitle(c.task)} / ${c.model}` : `Tables 2–4, trained on ${taskTitle(c.trained_on!)}, evaluated on ${taskTitle(c.task)}`;
    lines.push(`- **${where}** (SR ${c.sr}, ASAT ${c.asat}, ASST ${c.asst}, T ${c.timeout ?? "?"}): ${c.problems.join("; ")}.`);
    if (c.identity_ok && c.predicted_asat !== null) lines.push(`  - The identity itself holds numerically (${c.sr}·${c.asst === DASH ? 0 : c.asst} + (1 − ${c.sr})·${c.timeout} = ${fixed(c.predicted_asat, 2)}), but only because the ASST term is multiplied by SR = ${c.sr}.`);
    for (const alt of c.alternatives) lines.push(`  - Consistent reading: ${alt}.`);
  }
  for (const x of a.consistency.filter((y) => !y.ok)) lines.push(`- **${taskTitle(x.task)}**: ${x.detail}.`);
  return lines.join("\n") + "\n";
}

/** The audit as Markdown: the grid, then the findings. */
export function auditMarkdown(a: AuditResult, rs: ResultSet): string {
  return `${gridToMarkdown(auditGrid(a, rs))}\n**Findings.**\n\n${auditFindings(a)}`;
}

/** The audit as an HTML fragment. */
export function auditHtml(a: AuditResult, rs: ResultSet): string {
  return `${gridToHtml(auditGrid(a, rs))}<h3>Findings</h3>\n<pre class="findings">${htmlEscape(auditFindings(a))}</pre>\n`;
}

/** The audit, one row per cell, machine-readable. */
export function auditCsv(a: AuditResult): string {
  const head = ["table", "task", "model", "trained_on", "sr", "asat", "asst", "timeout", "predicted_asat", "identity_ok", "definition_ok", "reconstructible", "asst_floor", "reachable", "ok", "problems"];
  const opt = (x: number | null, f: (v: number) => string) => (x === null ? "" : f(x));
  return toCsv([
    head,
    ...a.cells.map((c) => [c.table, c.task, c.model, c.trained_on ?? "", c.sr, c.asat, c.asst, opt(c.timeout, String), opt(c.predicted_asat, (v) => v.toFixed(4)), String(c.identity_ok), String(c.definition_ok), String(c.reconstructible), opt(c.asst_floor, (v) => v.toFixed(4)), c.reachable === null ? "" : String(c.reachable), String(c.ok), c.problems.join("; ")]),
  ]);
}

/** How specific the floor evidence is (floorSpecificity). */
export interface FloorSpecificity {
  draws: number;
  /** Layouts drawn per task (the evaluation's count) and the pool drawn from. */
  layoutsPerTask: number;
  poolPerTask: number;
  /** The cells the floor applies to (one run, an ASST, k ≤ layouts). */
  cells: number;
  /** The cells whose ASST sits exactly on the evaluation layouts' floor. */
  onFloor: string[];
  /** Share of draws on which every cell's ASST clears the drawn layouts' floor. */
  allReachable: number;
  /** Share of draws on which the same cells sit exactly on the drawn layouts' floor. */
  sameOnFloor: number;
}

/**
 * The audit's floor check says the published ASSTs are consistent with the evaluation layouts' optimal
 * lengths, and some sit exactly on the floor. How much does that say about which layouts were played?
 * Draw `draws` random sets of as many layouts per task from a pool of seeded layouts' optimal lengths
 * (optima.ts seededOptima) and count how often every published ASST would clear the floor, and how
 * often the same cells would sit exactly on it. Seeded, so a rerun gives the same shares.
 */
export function floorSpecificity(rs: ResultSet, evalOptima: Record<string, number[]>, pool: Record<string, number[]>, opts: { draws?: number; seed?: number } = {}): FloorSpecificity {
  const cells = [
    ...rs.table1.map((c) => ({ c, task: c.task, name: `Table 1 ${taskTitle(c.task)} / ${c.model}` })),
    ...rs.cross.map((c) => ({ c, task: c.evaluated_on, name: `Tables 2–4 ${taskTitle(c.trained_on)} → ${taskTitle(c.evaluated_on)}` })),
  ]
    .map((x) => ({ ...x, k: Math.round(x.c.sr * x.c.n), decimals: x.c.decimals?.asst }))
    .filter((x) => x.c.runs === 1 && x.c.asst !== null && x.k >= 1 && evalOptima[x.task] && x.k <= evalOptima[x.task].length && pool[x.task]);
  const floored = (optima: Record<string, number[]>) => cells.filter((x) => onFloor(x.c.asst!, asstFloor(optima[x.task], x.k), x.decimals));
  const real = new Set(floored(evalOptima));
  const n = Math.max(...Object.values(evalOptima).map((o) => o.length));
  const rng = new Rng(opts.seed ?? 1);
  const draws = opts.draws ?? 10_000;
  let allReachable = 0;
  let sameOnFloor = 0;
  for (let d = 0; d < draws; d++) {
    const drawn: Record<string, number[]> = {};
    for (const [task, lengths] of Object.entries(pool)) {
      const picked = new Set<number>();
      const want = Math.min(evalOptima[task]?.length ?? n, lengths.length);
      while (picked.size < want) picked.add(rng.int(lengths.length)); // distinct layouts, as the evaluation's
      drawn[task] = [...picked].map((i) => lengths[i]);
    }
    if (cells.every((x) => clearsFloor(x.c.asst!, asstFloor(drawn[x.task], x.k), x.decimals))) allReachable++;
    if ([...real].every((x) => onFloor(x.c.asst!, asstFloor(drawn[x.task], x.k), x.decimals))) sameOnFloor++;
  }
  return {
    draws,
    layoutsPerTask: n,
    poolPerTask: Math.min(...Object.values(pool).map((p) => p.length)),
    cells: cells.length,
    onFloor: [...real].map((x) => `${x.name} (SR ${cellText(x.c, "sr")}, ASST ${cellText(x.c, "asst")})`),
    allReachable: allReachable / draws,
    sameOnFloor: sameOnFloor / draws,
  };
}

/** Per task, how common each optimal length is in a pool of seeded layouts, as shares. */
export function lengthShares(pool: Record<string, number[]>): Record<string, Record<number, number>> {
  return Object.fromEntries(
    Object.entries(pool).map(([task, lengths]) => {
      const h: Record<number, number> = {};
      for (const L of lengths) h[L] = (h[L] ?? 0) + 1 / lengths.length;
      return [task, h];
    }),
  );
}

/**
 * Markdown: the floor evidence weighed. Per task, the evaluation layouts' optimal lengths and how common
 * each of them is among seeded layouts; then how often random layout sets would pass the floor check
 * and put the same cells on it.
 */
export function floorSpecificityMarkdown(f: FloorSpecificity, evalOptima: Record<string, number[]>, pool: Record<string, number[]>): string {
  const shares = lengthShares(pool);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = Object.entries(evalOptima).map(([task, optima]) => {
    const common = Object.entries(shares[task] ?? {}).sort((a, b) => b[1] - a[1])[0];
    const lengths = [...new Set(optima)].sort((a, b) => a - b).map((L) => `${L}: ${pct(shares[task]?.[L] ?? 0)}`);
    return `| ${taskTitle(task)} | ${optima.join(", ")} | ${lengths.join("; ")} | ${common ? `${common[0]} (${pct(common[1])})` : "—"} |`;
  });
  return [
    `| task | optimal lengths of the evaluation layouts | how common each is among ${f.poolPerTask} seeded layouts | most common length |`,
    "|---|---|---|---|",
    ...rows,
    "",
    `Cells on the floor of the evaluation layouts: ${f.onFloor.length ? f.onFloor.join("; ") : "none"}.`,
    "",
    `Of ${f.draws.toLocaleString("en")} random sets of ${f.layoutsPerTask} seeded layouts per task, ${pct(f.allReachable)} let all ${f.cells} published ASSTs clear the floor, and ${pct(f.sameOnFloor)} put the same cells exactly on it.`,
  ].join("\n");
}
