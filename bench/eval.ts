/**
 * Evaluation throughput and the harness's own overhead per model call, against the loopback
 * OpenAI-compatible server (test/helpers/openaiServer.ts), all measured in the same run:
 *
 * - the harness's overhead per model call: `evaluateRun` with EndpointPolicy at concurrency 1 (burger;
 *   the scripted model picks hashed valid actions, so each episode is 15 calls), wall time per call
 *   minus a bare `fetch` round trip of the same request to the same server (target < 1 ms). It is
 *   everything that is not the model: kitchen, prompt, client, retry wrapper, parsing, runner, and the
 *   per-episode costs (the seeded layout, the fsync'd JSONL append) spread over the episode's calls;
 * - the same evaluation with the model in-process (no HTTP): the harness's CPU cost per call;
 * - episodes per second at concurrency 1 and 16, with the loopback model answering at once (the
 *   harness is the bottleneck: both share this process's CPU) and with a simulated model latency of
 *   20 ms per reply (the model is the bottleneck, as with a real server: ideal speed-up ×16).
 *
 * How the overhead splits between the agent's client path and the rest: `npx tsx bench/agent.ts`
 * (EndpointPolicy.act against a bare fetch); not measured again here.
 *
 *   npx tsx bench/eval.ts [episodes=20]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildMessages, EndpointPolicy, ReActPolicy } from "../lib/agent/index";
import { makeKitchen, resolveTask } from "../lib/kitchen/index";
import { silentProgress } from "../lib/util/progress";
import { appendJsonl } from "../lib/util/files";
import { evaluateRun } from "../lib/eval/evaluate";
import { hashedValidAction, randomValidScript, reactReply, startOpenAIServer } from "../test/helpers/openaiServer";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const episodes = Number(process.argv[2] ?? 20);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-bench-eval-"));
  const fast = await startOpenAIServer({ script: randomValidScript({ salt: 7 }) });
  const slow = await startOpenAIServer({ script: randomValidScript({ salt: 7, delayMs: 20 }) });
  const prompt = { inContextExample: false };
  const task = resolveTask("burger");
  let round = 0;

  /** One evaluation of `n` fresh layouts: ms per model call and episodes per second. */
  const run = async (policy: ReActPolicy, n: number, concurrency: number) => {
    const seeds = Array.from({ length: n }, (_, i) => 1000 + ((round++ * 997 + i) % 100000));
    const t0 = ms();
    const r = await evaluateRun(policy, { run: "bench", model: "m", tasks: [task], seeds, out: path.join(dir, `r${round}.jsonl`), concurrency, progress: silentProgress });
    const wall = ms() - t0;
    return { perCall: wall / r.episodes.reduce((a, e) => a + e.attempts, 0), eps: (n / wall) * 1000 };
  };
  const endpoint = (url: string) => new EndpointPolicy({ endpoint: url, model: "test-model", token: "", prompt, concurrency: 16 });
  const inProcess = () =>
    new ReActPolicy(async (messages) => ({ content: reactReply(hashedValidAction({ messages }, 7)) }), { name: "in-process", prompt });

  // The baseline: a bare fetch of a typical request (a burger state, one history step).
  const k = makeKitchen("burger", 1000);
  const body = JSON.stringify({
    model: "test-model",
    messages: buildMessages(inProcess().prompt, { observation: k.observation(), history: [{ action: k.validActions()[0], reasoning: "r" }] }),
    temperature: 0.7,
    max_tokens: 1024,
    top_p: 1,
  });
  const bare = async (n: number) => {
    const t0 = ms();
    for (let i = 0; i < n; i++) await (await fetch(`${fast.url}/v1/chat/completions`, { method: "POST", headers: { "Content-Type": "application/json" }, body })).json();
    return (ms() - t0) / n;
  };
  // Per-episode costs, directly: the seeded layout and one fsync'd append.
  const perEpisode = () => {
    const t0 = ms();
    for (let i = 0; i < 20; i++) makeKitchen("burger", 5000 + round * 20 + i);
    const t1 = ms();
    for (let i = 0; i < 20; i++) appendJsonl(path.join(dir, "append.jsonl"), [{ i }]);
    return { layout: (t1 - t0) / 20, append: (ms() - t1) / 20 };
  };

  await run(endpoint(fast.url), 5, 1); // warm-up (JIT, sockets)
  await run(inProcess(), 5, 1);
  await bare(50);
  const R: Record<string, number[]> = { bare: [], c1: [], cpu: [], eps1: [], eps16: [], lat1: [], lat16: [], layout: [], append: [] };
  for (let r = 0; r < 5; r++) {
    R.bare.push(await bare(episodes * 15));
    const one = await run(endpoint(fast.url), episodes, 1);
    R.c1.push(one.perCall);
    R.eps1.push(one.eps);
    R.eps16.push((await run(endpoint(fast.url), episodes * 4, 16)).eps);
    R.cpu.push((await run(inProcess(), episodes, 1)).perCall);
    const e = perEpisode();
    R.layout.push(e.layout);
    R.append.push(e.append);
  }
  // With model latency, fewer rounds (they are slow by design: 20 ms × 15 calls per episode).
  for (let r = 0; r < 3; r++) {
    R.lat1.push((await run(endpoint(slow.url), 4, 1)).eps);
    R.lat16.push((await run(endpoint(slow.url), 64, 16)).eps);
  }
  await fast.close();
  await slow.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const m = Object.fromEntries(Object.entries(R).map(([k, v]) => [k, median(v)]));
  console.log(`eval harness bench — burger, 15 model calls per episode, loopback server, prompt ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB (no in-context example); medians`);
  console.log(`  bare fetch round trip                       ${m.bare.toFixed(3)} ms/call   (baseline)`);
  console.log(`  evaluate, EndpointPolicy, concurrency 1     ${m.c1.toFixed(3)} ms/call   ×${(m.c1 / m.bare).toFixed(2)}`);
  console.log(`  evaluate, model in-process (no HTTP)        ${(m.cpu * 1000).toFixed(0)} µs/call   (per episode: layout ${m.layout.toFixed(2)} ms, JSONL append ${m.append.toFixed(2)} ms)`);
  console.log(`  episodes/s, instant model: conc. 1 → 16     ${m.eps1.toFixed(1)} → ${m.eps16.toFixed(1)}   ×${(m.eps16 / m.eps1).toFixed(2)}   (harness-bound)`);
  console.log(`  episodes/s, 20 ms model:   conc. 1 → 16     ${m.lat1.toFixed(2)} → ${m.lat16.toFixed(2)}   ×${(m.lat16 / m.lat1).toFixed(2)}   (model-bound; ideal ×16)`);
  const overhead = m.c1 - m.bare;
  console.log(`harness overhead per model call: ${overhead.toFixed(3)} ms (target < 1 ms: ${overhead < 1 ? "met" : "NOT met"}); client-path split: bench/agent.ts`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
