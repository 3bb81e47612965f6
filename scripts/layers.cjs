/**
 * The layers of lib/, bottom to top: the one place the allowed import direction is written. A module
 * imports only modules of lower layers (.dependency-cruiser.cjs turns this into rules that `make test`
 * checks; test/layers.test.ts checks that docs/design.md and the README show the same table).
 */
const LAYERS = [
  ["util", "config"], // errors, files, numbers, progress, profiles; the paper's values
  ["viz"], // vega-lite → SVG/PNG, notebook display
  ["mdp", "kitchen", "cookingworld"], // the theory; the two environments' engines
  ["env"], // the environment seam: one interface over both engines, the task registry
  ["expert"], // optimal experts, the expert trajectory record
  ["agent"], // prompts, parser, reward, policies, OpenAI-compatible endpoints
  ["dataset"], // single-turn rows and expert datasets
  ["eval"], // the multi-turn protocol, metrics, single-turn accuracy
  ["learn", "trainer-client"], // CPU learners; the client of the Python trainer
  ["report"], // tables, comparison with the paper, audit, figures
  ["workflows"], // what crosses layers: notebook glue, the studies, the served-model pipeline
];

module.exports = { LAYERS };
