/**
 * The import rules of lib/, checked by `make test` (`npx depcruise --config .dependency-cruiser.cjs lib cli`):
 * no import cycle between files, and between modules only downward: a module imports modules of lower
 * layers only (never its own layer's siblings, never a higher layer). The layers are written once, in
 * scripts/layers.cjs; docs/design.md and the README's "Layout" show the same table (test/layers.test.ts).
 */
const { LAYERS } = require("./scripts/layers.cjs");

const rank = Object.fromEntries(LAYERS.flatMap((mods, i) => mods.map((m) => [m, i])));
const alt = (mods) => `(${mods.join("|")})`;
const modules = LAYERS.flat();

const upward = modules.map((m) => {
  const notBelow = modules.filter((x) => x !== m && rank[x] >= rank[m]);
  return {
    name: `layers:${m}`,
    comment: `lib/${m} (layer ${rank[m]}) may import only lower layers; ${notBelow.join(", ")} are not below it`,
    severity: "error",
    from: { path: `^lib/${m}/` },
    to: { path: `^lib/${alt(notBelow)}/` },
  };
});

module.exports = {
  forbidden: [
    { name: "no-cycles", comment: "no import loop between files", severity: "error", from: {}, to: { circular: true } },
    { name: "lib-stays-lib", comment: "lib/ never imports the CLI, tests, benches or scripts", severity: "error", from: { path: "^lib/" }, to: { path: "^(cli|test|bench|scripts|notebooks)/" } },
    { name: "known-module", comment: "every lib/ directory has a place in LAYERS", severity: "error", from: { path: "^lib/" }, to: { path: "^lib/", pathNot: `^lib/${alt(modules)}/` } },
    {
      name: "the-seam",
      comment: "above lib/env, only the experts (lib/expert) and the two environment notebooks' glue know which engine plays a task: everything else goes through lib/env",
      severity: "error",
      // (lib/workflows/kitchen-and-expert.ts and cookingworld.ts are notebooks 04 and 08's glue: each shows its engine itself.)
      from: { path: "^lib/(agent|dataset|eval|learn|trainer-client|report|workflows)/", pathNot: "^lib/workflows/(kitchen-and-expert|cookingworld)\\.ts" },
      to: { path: "^lib/(kitchen|cookingworld)/" },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
