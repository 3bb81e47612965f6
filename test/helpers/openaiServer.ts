/**
 * A scripted OpenAI-compatible server on loopback (node:http), for end-to-end tests of anything that
 * talks to `/v1/chat/completions`: the EndpointPolicy here, the evaluation runner in lib/eval.
 *
 *   const server = await startOpenAIServer({ script: [{ reply: "Reasoning: …\nAction: Do nothing" }] });
 *   const policy = new EndpointPolicy({ endpoint: server.url, model: "m" });
 *   …
 *   await server.close();
 *
 * The script decides per chat request: an array (request i gets behaviour i; the last one repeats),
 * or a function of the request (e.g. `expertScript(obs => plan(obs))` answers with the expert's action
 * for the observation in the last user message). Behaviours: reply with text (after an optional
 * delay), answer an HTTP status with a JSON body, answer raw bytes with any status and content type
 * (a misbehaving server: invalid JSON in a 200, an HTML page from a proxy), drop the connection
 * (socket destroyed), or hang. `MISBEHAVIOURS` lists the malformed 200 answers a client must survive.
 * Requests naming a model the server does not serve get vLLM's 404 "model does not exist" (unless
 * `anyModel`). GET /v1/models lists the served models.
 */
import { hashString } from "../../lib/util/rng";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface ChatMessageRecord {
  role: string;
  content: string;
}

export interface ChatRequestRecord {
  /** 0-based order of arrival among chat requests. */
  index: number;
  model: string;
  messages: ChatMessageRecord[];
  /** The whole parsed JSON body (temperature, max_tokens, top_p, seed, …). */
  body: any;
  headers: http.IncomingHttpHeaders;
}

export type Behaviour =
  | { reply: string; delayMs?: number }
  | { status: number; body?: unknown; delayMs?: number }
  | { raw: string; status?: number; contentType?: string; delayMs?: number }
  | { drop: true; delayMs?: number }
  | { hang: true };

export type Script = Behaviour[] | ((req: ChatRequestRecord) => Behaviour | Promise<Behaviour>);

export interface OpenAIServerOptions {
  script: Script;
  /** Served model ids (default ["test-model"]). */
  models?: string[];
  /** Accept any model name (default false: unknown names get a 404). */
  anyModel?: boolean;
}

export interface OpenAIServer {
  /** Base URL, e.g. http://127.0.0.1:34567 (clients append /v1/chat/completions). */
  url: string;
  /** Every chat request received, in order (including the ones answered with errors or dropped). */
  requests: ChatRequestRecord[];
  /** GET /v1/models requests received. */
  modelListRequests: number;
  /** Most chat requests being handled at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/** The OpenAI chat-completion body for a reply. */
export function completionBody(model: string, content: string): object {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/**
 * 200 answers that are not chat completions, each a server failure a client must retry and, when it
 * persists, report in one line — never record as the model's reply, never crash on.
 */
export const MISBEHAVIOURS: Record<string, Behaviour> = {
  "invalid JSON": { raw: '{"choices": [{"message": {"content": "Reasoning', contentType: "application/json" },
  "an HTML page": { raw: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>", contentType: "text/html; charset=utf-8" },
  "no choices": { status: 200, body: { id: "x", object: "chat.completion", created: 0, model: "test-model", usage: {} } },
  "choices: []": { status: 200, body: { id: "x", object: "chat.completion", created: 0, model: "test-model", choices: [], usage: {} } },
  "choices: [{}]": { status: 200, body: { id: "x", object: "chat.completion", created: 0, model: "test-model", choices: [{}], usage: {} } },
  "null content": {
    status: 200,
    body: { id: "x", object: "chat.completion", created: 0, model: "test-model", choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "stop" }], usage: {} },
  },
  "a JSON array": { raw: "[]", contentType: "application/json" },
  "an empty body": { raw: "", contentType: "application/json" },
};

/** The observation in a request: the last user message without an "Error Feedback: …" first line. */
export function observationOf(req: { messages: ChatMessageRecord[] }): string {
  const last = req.messages[req.messages.length - 1];
  if (!last || last.role !== "user") throw new Error("the last message is not a user message");
  return last.content.startsWith("Error Feedback: ") ? last.content.slice(last.content.indexOf("\n") + 1) : last.content;
}

/** The error feedback in a request's last user message, or null. */
export function feedbackOf(req: { messages: ChatMessageRecord[] }): string | null {
  const last = req.messages[req.messages.length - 1].content;
  return last.startsWith("Error Feedback: ") ? last.slice("Error Feedback: ".length, last.indexOf("\n")) : null;
}

/** The lines of an observation's "Valid Actions:" block. */
export function validActionsOf(observation: string): string[] {
  const lines = observation.split("\n");
  const start = lines.indexOf("Valid Actions:");
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l === "" || l.startsWith("Goal:")) break;
    out.push(l);
  }
  return out;
}

/** A well-formed ReAct reply. */
export function reactReply(action: string, reasoning = "Following my plan."): string {
  return `Reasoning: ${reasoning}\nAction: ${action}`;
}

/** A script that answers every request with `choose(observation)` as the action, in ReAct format. */
export function expertScript(choose: (observation: string, req: ChatRequestRecord) => string): Script {
  return (req) => ({ reply: reactReply(choose(observationOf(req), req)) });
}

/** Scripted choices that depend only on the request's content: the project's string hash. */
export const hash32 = hashString;

/** The action a "random" scripted model picks for a request: a valid action chosen by a hash of the last message. */
export function hashedValidAction(req: { messages: ChatMessageRecord[] }, salt = 0): string {
  const valid = validActionsOf(observationOf(req));
  return valid[hash32(`${salt}\u0000${req.messages[req.messages.length - 1].content}`) % valid.length];
}

/**
 * A model that answers with a valid action chosen by a hash of the request (so the same request gets
 * the same answer whatever the order of arrival), malformed for a `malformed` fraction of requests and
 * after an optional delay: deterministic "random valid actions" for resume and concurrency tests.
 */
export function randomValidScript(opts: { salt?: number; malformed?: number; delayMs?: number } = {}): Script {
  return (req) => {
    const last = req.messages[req.messages.length - 1].content;
    const bad = opts.malformed ? (hash32(`m\u0000${opts.salt ?? 0}\u0000${last}`) % 1000) / 1000 < opts.malformed : false;
    return { reply: bad ? "I am not sure what to do." : reactReply(hashedValidAction(req, opts.salt)), delayMs: opts.delayMs };
  };
}

/**
 * The recorded optimal plans of data/testdata/optimal_walks.jsonl as an expert: observation text →
 * the optimal action there (the default layouts of the four paper tasks), and each layout's plan.
 */
export function optimalWalks(file: string): { actionAt(observation: string): string; plans: Map<string, string[]> } {
  const byObservation = new Map<string, string>();
  const plans = new Map<string, string[]>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { layout: string; observation: string; action: string | null };
    if (r.action === null) continue;
    byObservation.set(r.observation, r.action);
    plans.set(r.layout, [...(plans.get(r.layout) ?? []), r.action]);
  }
  return {
    plans,
    actionAt(observation) {
      const a = byObservation.get(observation);
      if (a === undefined) throw new Error("observation not on a recorded optimal walk");
      return a;
    },
  };
}

export async function startOpenAIServer(opts: OpenAIServerOptions): Promise<OpenAIServer> {
  const models = opts.models ?? ["test-model"];
  const requests: ChatRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  const state = { modelListRequests: 0, maxInFlight: 0 };

  const behaviourFor = async (req: ChatRequestRecord): Promise<Behaviour> => {
    if (!opts.anyModel && !models.includes(req.model)) {
      return {
        status: 404,
        body: { object: "error", message: `The model \`${req.model}\` does not exist.`, type: "NotFoundError", param: null, code: 404 },
      };
    }
    const s = opts.script;
    if (typeof s === "function") return s(req);
    if (s.length === 0) throw new Error("empty script");
    return s[Math.min(req.index, s.length - 1)];
  };

  const wait = (ms: number, res: http.ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (!ms) return resolve(true);
      // Under load the client may already have given up before we get here: then no "close" event
      // is coming, and an hour-long timer would keep the test process alive.
      if (res.destroyed || res.socket?.destroyed) return resolve(false);
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(true);
      }, ms);
      timer.unref();
      timers.add(timer);
      res.on("close", () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false); // the client went away (timeout)
      });
    });

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = (req.url ?? "").replace(/\?.*$/, "");
      if (req.method === "GET" && url === "/v1/models") {
        state.modelListRequests++;
        return sendJson(res, 200, { object: "list", data: models.map((id) => ({ id, object: "model", owned_by: "test" })) });
      }
      if (req.method !== "POST" || url !== "/v1/chat/completions") {
        return sendJson(res, 404, { detail: "Not Found" });
      }
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return sendJson(res, 400, { object: "error", message: "invalid JSON body", code: 400 });
      }
      const record: ChatRequestRecord = {
        index: requests.length,
        model: String(body.model),
        messages: body.messages,
        body,
        headers: req.headers,
      };
      requests.push(record);
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      try {
        let b: Behaviour;
        try {
          b = await behaviourFor(record);
        } catch (e: any) {
          // A throwing script is a bug in the test: answer 500 with its message rather than hang.
          b = { status: 500, body: { object: "error", message: `script error: ${e?.message ?? e}` } };
        }
        if ("hang" in b) {
          await wait(3_600_000, res);
          return;
        }
        if (!(await wait(b.delayMs ?? 0, res))) return;
        if ("drop" in b) {
          req.socket.destroy();
        } else if ("raw" in b) {
          if (!res.destroyed && !res.writableEnded) {
            res.writeHead(b.status ?? 200, { "Content-Type": b.contentType ?? "application/json", "Content-Length": Buffer.byteLength(b.raw) });
            res.end(b.raw);
          }
        } else if ("status" in b) {
          sendJson(res, b.status, b.body ?? { object: "error", message: `scripted ${b.status}`, code: b.status });
        } else {
          sendJson(res, 200, completionBody(record.model, b.reply));
        }
      } finally {
        inFlight--;
      }
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get modelListRequests() {
      return state.modelListRequests;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
