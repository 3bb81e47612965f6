/**
 * Harness overhead per model call: EndpointPolicy.act (prompt building, InferenceClient, semaphore,
 * retry wrapper, parsing, history) against the loopback OpenAI server, minus a bare `fetch` of the
 * same request to the same server, measured in the same run. Target: < 1 ms per call.
 *
 *   npx tsx bench/agent.ts [calls=300] [example.txt]
 *
 * The methods run interleaved in rounds (the median round is reported) so JIT warm-up and machine
 * noise fall on all of them alike. The prompt includes the vendored in-context example when present
 * (or the example file given), as in the default configuration.
 */
import * as fs from "node:fs";
import { InferenceClient } from "@huggingface/inference";
import { Kitchen } from "../lib/kitchen/kitchen";
import { resolveTask } from "../lib/env/index";
import {
  buildMessages,
  checkReply,
  EndpointPolicy,
  parseInContextExample,
  PolicyContext,
  PromptConfig,
  promptConfig,
} from "../lib/agent/index";
import { reactReply, startOpenAIServer } from "../test/helpers/openaiServer";
import { testLayout } from "../test/helpers/testdata";

async function timeIt(n: number, f: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await f(i);
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const n = Number(process.argv[2] ?? 300);
  const exampleFile = process.argv[3];
  const kitchen = Kitchen.fromLayout(testLayout("synchronous/3_burger@default"));
  const action = kitchen.validActions()[1];
  const reply = reactReply(action, "Fetch the patty from table3, bring it to bottombun1, then the top bun.");
  const server = await startOpenAIServer({ script: [{ reply }] });
  const prompt: Partial<PromptConfig> = exampleFile
    ? { exampleMessages: parseInContextExample(fs.readFileSync(exampleFile, "utf8")) }
    : { inContextExample: true };
  const withExample = prompt.inContextExample !== false;
  const config = promptConfig(prompt);
  const task = resolveTask("burger");
  const ctx = (t: number): PolicyContext => ({
    task,
    seed: null,
    t: t % 8,
    observation: kitchen.observation(),
    validActions: kitchen.validActions(),
    env: kitchen,
  });
  const messages = buildMessages(config, { observation: kitchen.observation(), history: [{ action, reasoning: "r" }] });
  const body = JSON.stringify({ model: "test-model", messages, temperature: 0.7, max_tokens: 1024, top_p: 1 });
  const url = `${server.url}/v1/chat/completions`;

  const client = new InferenceClient("", { endpointUrl: `${server.url}/v1` });
  const policy = new EndpointPolicy({ endpoint: server.url, model: "test-model", token: "", prompt });
  const methods: Record<string, (i: number) => Promise<unknown>> = {
    raw: async () => {
      const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
      await r.json();
    },
    client: () =>
      client.chatCompletion({ model: "test-model", messages: messages as any, temperature: 0.7, max_tokens: 1024, top_p: 1 }, { retry_on_error: false }),
    act: async (i) => {
      const d = await policy.act(ctx(i));
      if (d.action !== action) throw new Error(`unexpected decision ${JSON.stringify(d)}`);
    },
  };
  const rounds: Record<string, number[]> = { raw: [], client: [], act: [] };
  for (const f of Object.values(methods)) await timeIt(50, f); // warm-up
  for (let r = 0; r < 7; r++) for (const [name, f] of Object.entries(methods)) rounds[name].push(await timeIt(Math.ceil(n / 7), f));
  const [rawMs, clientMs, actMs] = [median(rounds.raw), median(rounds.client), median(rounds.act)];
  const cpuMs = await timeIt(n * 10, async (i) => {
    const m = buildMessages(config, { observation: kitchen.observation(), history: [{ action, reasoning: `r${i}` }] });
    JSON.stringify(m);
    checkReply(reply, kitchen.validActions());
  });
  await server.close();

  const bytes = Buffer.byteLength(body);
  console.log(`agent harness bench — ${n} calls each, loopback server, prompt ${(bytes / 1024).toFixed(1)} KiB (in-context example ${withExample ? "on" : "off: not vendored"})`);
  console.log(`  bare fetch round trip            ${rawMs.toFixed(3)} ms/call   (baseline)`);
  console.log(`  InferenceClient.chatCompletion   ${clientMs.toFixed(3)} ms/call   ×${(clientMs / rawMs).toFixed(2)}`);
  console.log(`  EndpointPolicy.act (full)        ${actMs.toFixed(3)} ms/call   ×${(actMs / rawMs).toFixed(2)}`);
  console.log(`  prompt + JSON + parse, no HTTP   ${(cpuMs * 1000).toFixed(1)} µs/call`);
  const overhead = actMs - rawMs;
  console.log(`harness overhead per model call: ${overhead.toFixed(3)} ms (target < 1 ms: ${overhead < 1 ? "met" : "NOT met"})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
