/**
 * The synchronous Robotouille engine: a compact, typed interpreter of the domain's rules, bit-exact with
 * the original Python backend on the synchronous tasks. model.ts holds the representation, compile.ts
 * turns a layout into a model, goal.ts decides the goal, rules.ts lists valid actions and steps.
 */
export * from "./model";
export { compileLayout, actionId } from "./compile";
export { goalHolds } from "./goal";
export * from "./rules";
