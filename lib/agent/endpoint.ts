/**
 * `EndpointPolicy`: the ReAct protocol against any OpenAI-compatible `/v1/chat/completions` server
 * (vLLM, TGI, SGLang, llama.cpp, the Hugging Face router, OpenAI), through @huggingface/inference's
 * `InferenceClient.chatCompletion` with `endpointUrl` (the client then posts to
 * `<endpoint>/v1/chat/completions` and would put the URL itself in the body's `model` field unless a
 * model name is given — so we always give one, asking `/v1/models` when the user did not).
 *
 * Transport policy (all of it in `EndpointClient.complete`):
 * - at most `concurrency` requests in flight, through a semaphore shared by every episode that uses
 *   the policy (or by several policies, when they are given the same `Semaphore`);
 * - a per-request timeout (AbortSignal);
 * - retries with exponential backoff on connection errors, dropped connections, timeouts, 5xx, 408,
 *   429 and malformed 200 answers (lib/agent/reply.ts: invalid JSON, HTML, no or empty choices, no
 *   message, null content); never on other 4xx;
 * - one-line UserErrors: the server cannot be reached (after the retries), the model is unknown (404),
 *   any other client error with the server's own message.
 * The library's built-in endless retry on 503 is switched off (`retry_on_error: false`): 503 goes
 * through the same bounded backoff as every other 5xx.
 */
import { InferenceClient, InferenceClientInputError, InferenceClientProviderApiError, InferenceClientProviderOutputError } from "@huggingface/inference";
import { hashString } from "../util/rng";
import { UserError } from "../util/errors";
import { MalformedReplyError, validatingFetch } from "./reply";
import type { ChatMessage, PromptConfig } from "./prompt";
import { ChatCallInfo, ChatReply, ReActPolicy } from "./react";

/** A counting semaphore (FIFO). `acquire` resolves to the release function. */
export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
  }
  get inFlight(): number {
    return this.active;
  }
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.active--;
    };
  }
}

export interface EndpointOptions {
  /** Server URL: `http://host:8000`, `http://host:8000/v1` or the full `…/v1/chat/completions`. */
  endpoint: string;
  /** Model name sent in each request; default: the first id listed by `<endpoint>/v1/models`. */
  model?: string;
  /** Bearer token; default: the HF_TOKEN environment variable. */
  token?: string;
  /** Sampling temperature (default 0.7, Robotouille's ReAct setting). */
  temperature?: number;
  /** Completion length cap (default 1024 tokens). */
  maxTokens?: number;
  /** Nucleus sampling (default 1: off). */
  topP?: number;
  /**
   * Base of per-request sampling seeds (OpenAI `seed`, honoured by vLLM and TGI): each request gets
   * a seed derived from (base, task, layout seed, step, attempt), so a rerun asks the same questions
   * with the same seeds. Default null: no seed sent.
   */
  seed?: number | null;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** Retries per request after the first try (default 4, i.e. 5 tries). */
  retries?: number;
  /** First backoff (default 1000 ms), doubled after each retry, capped at maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Requests in flight at once (default 8); ignored when `semaphore` is given. */
  concurrency?: number;
  semaphore?: Semaphore;
  /** Replaceable for tests: how to wait between retries. */
  sleep?: (ms: number) => Promise<void>;
  /** Replaceable fetch (passed to the client and the /v1/models query). */
  fetch?: typeof fetch;
}

export interface EndpointStats {
  /** HTTP requests sent to /chat/completions (tries, including the failed ones). */
  requests: number;
  /** Tries that failed and were retried. */
  retries: number;
  /** Replies obtained. */
  replies: number;
  /** Backoff waits, in order (ms). */
  backoffsMs: number[];
}

export const ENDPOINT_DEFAULTS = {
  temperature: 0.7,
  maxTokens: 1024,
  topP: 1,
  timeoutMs: 120_000,
  retries: 4,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  concurrency: 8,
} as const;

/** `http://h:8000`, `http://h:8000/v1/`, `http://h:8000/v1/chat/completions` → `http://h:8000/v1`. */
export function apiBase(endpoint: string): string {
  let u = endpoint.trim().replace(/\/+$/, "");
  u = u.replace(/\/chat\/completions$/, "");
  if (!u.endsWith("/v1")) u += "/v1";
  return u;
}

function oneLine(s: string, max = 300): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

/** The server's own error message from an error body (vLLM/OpenAI/TGI shapes). */
function serverMessage(body: unknown): string {
  if (typeof body === "string") return oneLine(body);
  if (body && typeof body === "object") {
    const b = body as Record<string, any>;
    const m = b.error?.message ?? b.message ?? b.detail ?? b.error;
    if (typeof m === "string") return oneLine(m);
    if (m !== undefined) return oneLine(JSON.stringify(m));
  }
  return "";
}

/** The sampling seed of one request (31-bit, deterministic). */
export function requestSeed(base: number, info: ChatCallInfo): number {
  return hashString(JSON.stringify([base, info.task, info.seed, info.t, info.attempt])) & 0x7fffffff;
}

type RequestSettings = Required<Omit<EndpointOptions, "endpoint" | "model" | "token" | "seed" | "semaphore" | "sleep" | "fetch">>;

/** A non-2xx answer from a plain fetch (the /v1/models query). */
class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

type Failure =
  | { retry: true; connection: boolean; reason: string }
  | { retry: false; status: number | null; message: string };

/** Decide what a failed try means: retry (transient) or stop (the request itself is wrong). */
function classify(e: unknown, timeoutMs: number): Failure {
  const err = e as any;
  if (err?.name === "TimeoutError" || err?.name === "AbortError") {
    return { retry: true, connection: false, reason: `no answer within ${timeoutMs / 1000} s` };
  }
  if (e instanceof MalformedReplyError) return { retry: true, connection: false, reason: e.message };
  // The library's own shape check, should a reply slip past ours: the same server failure.
  if (e instanceof InferenceClientProviderOutputError) return { retry: true, connection: false, reason: `malformed reply: ${oneLine(e.message)}` };
  let status: number | null = null;
  let body: unknown = "";
  if (e instanceof InferenceClientProviderApiError) [status, body] = [e.httpResponse.status, e.httpResponse.body];
  else if (e instanceof HttpStatusError) [status, body] = [e.status, e.body];
  if (status !== null) {
    const msg = serverMessage(body);
    if (status >= 500 || status === 408 || status === 429) {
      return { retry: true, connection: false, reason: `HTTP ${status}${msg ? ` (${msg})` : ""}` };
    }
    return { retry: false, status, message: msg };
  }
  if (e instanceof InferenceClientInputError) return { retry: false, status: null, message: e.message };
  if (e instanceof TypeError && /fetch failed|terminated|socket|network/i.test(err.message)) {
    const cause = err.cause;
    const code: string | undefined = cause?.code ?? cause?.name;
    const detail = cause?.message && cause.message !== code ? `${code ? `${code}: ` : ""}${cause.message}` : (code ?? err.message);
    return { retry: true, connection: true, reason: oneLine(String(detail)) };
  }
  throw e; // not a transport failure: a bug, keep the stack
}

/** A chat-completions client with bounded concurrency, timeouts and retries. */
export class EndpointClient {
  readonly base: string;
  readonly chatUrl: string;
  readonly stats: EndpointStats = { requests: 0, retries: 0, replies: 0, backoffsMs: [] };
  readonly semaphore: Semaphore;
  private readonly client: InferenceClient;
  private readonly o: RequestSettings;
  private readonly token: string;
  private readonly seed: number | null;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchFn: typeof fetch;
  private model: string | undefined;
  private modelPromise: Promise<string> | null = null;

  constructor(opts: EndpointOptions) {
    if (!/^https?:\/\//.test(opts.endpoint.trim())) throw new UserError(`endpoint must be an http(s) URL, got "${opts.endpoint}"`);
    this.o = {
      temperature: opts.temperature ?? ENDPOINT_DEFAULTS.temperature,
      maxTokens: opts.maxTokens ?? ENDPOINT_DEFAULTS.maxTokens,
      topP: opts.topP ?? ENDPOINT_DEFAULTS.topP,
      timeoutMs: opts.timeoutMs ?? ENDPOINT_DEFAULTS.timeoutMs,
      retries: opts.retries ?? ENDPOINT_DEFAULTS.retries,
      backoffMs: opts.backoffMs ?? ENDPOINT_DEFAULTS.backoffMs,
      maxBackoffMs: opts.maxBackoffMs ?? ENDPOINT_DEFAULTS.maxBackoffMs,
      concurrency: opts.concurrency ?? ENDPOINT_DEFAULTS.concurrency,
    };
    if (!(Number.isInteger(this.o.retries) && this.o.retries >= 0)) throw new RangeError(`retries must be a non-negative integer`);
    if (!(this.o.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive`);
    this.base = apiBase(opts.endpoint);
    this.chatUrl = `${this.base}/chat/completions`;
    this.model = opts.model || undefined;
    this.token = opts.token ?? process.env.HF_TOKEN ?? "";
    this.seed = opts.seed ?? null;
    this.semaphore = opts.semaphore ?? new Semaphore(this.o.concurrency);
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.fetchFn = opts.fetch ?? fetch;
    // Every 200 of the chat route goes through lib/agent/reply.ts before the library reads it.
    this.client = new InferenceClient(this.token, { endpointUrl: this.base, fetch: validatingFetch(this.fetchFn, this.chatUrl) });
  }

  /** The request settings in effect (for the config printout of a run). */
  get settings(): RequestSettings & { endpoint: string; model: string | undefined; seed: number | null } {
    return { ...this.o, endpoint: this.base, model: this.model, seed: this.seed };
  }

  /** The model name requests carry (asks /v1/models once when none was given). */
  async modelName(): Promise<string> {
    if (this.model) return this.model;
    this.modelPromise ??= this.listModels().then((ids) => {
      if (ids === null || ids.length === 0) {
        throw new UserError(`no model name given and ${this.base}/models lists none: pass --model NAME`);
      }
      this.model = ids[0];
      return ids[0];
    });
    try {
      return await this.modelPromise;
    } catch (e) {
      this.modelPromise = null;
      throw e;
    }
  }

  /** Ids listed by GET /v1/models, or null when the server has no such route or no list. */
  async listModels(): Promise<string[] | null> {
    const url = `${this.base}/models`;
    const { value: body } = await this.withRetries(url, async (signal) => {
      const r = await this.fetchFn(url, { signal, headers: this.token ? { Authorization: `Bearer ${this.token}` } : {} });
      if (r.status === 404 || r.status === 405) return null;
      if (!r.ok) throw new HttpStatusError(r.status, await r.text());
      return (await r.json().catch(() => null)) as any;
    });
    const data = Array.isArray(body?.data) ? body.data : null;
    if (!data) return null;
    return data.map((m: any) => (typeof m?.id === "string" ? m.id : "")).filter((id: string) => id !== "");
  }

  /** Fail fast before a long run: the server answers, and serves the model when it lists its models. */
  async preflight(): Promise<string> {
    const ids = await this.listModels();
    if (this.model && ids && ids.length > 0 && !ids.includes(this.model)) {
      throw new UserError(`model "${this.model}" is not served at ${this.base} (served: ${ids.slice(0, 10).join(", ")})`);
    }
    return this.modelName();
  }

  private backoff(retryNo: number): number {
    return Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** retryNo);
  }

  /**
   * Run `attempt` holding a semaphore slot, under the timeout, with the retry policy (the slot is
   * released while backing off). Returns its value and the retries spent; throws a one-line
   * UserError when it gives up or the request itself is wrong.
   */
  private async withRetries<T>(
    url: string,
    attempt: (signal: AbortSignal) => Promise<T>,
    onTry?: () => void,
  ): Promise<{ value: T; retries: number }> {
    for (let tryNo = 0; ; tryNo++) {
      const release = await this.semaphore.acquire();
      let failure: Failure;
      try {
        onTry?.();
        const value = await attempt(AbortSignal.timeout(this.o.timeoutMs));
        return { value, retries: tryNo };
      } catch (e) {
        failure = classify(e, this.o.timeoutMs);
      } finally {
        release();
      }
      if (failure.retry === false) throw await this.fatal(url, failure);
      if (tryNo >= this.o.retries) {
        const what = failure.connection ? `cannot reach ${url}` : `no usable answer from ${url}`;
        throw new UserError(`${what}: ${failure.reason} (${tryNo + 1} tries)`);
      }
      const wait = this.backoff(tryNo);
      this.stats.retries++;
      this.stats.backoffsMs.push(wait);
      await this.sleep(wait);
    }
  }

  private async fatal(url: string, f: { status: number | null; message: string }): Promise<UserError> {
    const said = f.message ? ` (${f.message})` : "";
    if (f.status === 404 && url === this.chatUrl) {
      // Unknown model (vLLM, OpenAI) or no chat route at this URL; say what the server does serve.
      const ids = await this.listModels().catch(() => null);
      const served = ids && ids.length ? `; served: ${ids.slice(0, 10).join(", ")}` : "";
      return new UserError(`model "${this.model}" not found at ${url}: HTTP 404${said}${served}`);
    }
    if (f.status === 401 || f.status === 403) {
      return new UserError(`${url}: HTTP ${f.status}${said}: pass a valid token (--token or HF_TOKEN)`);
    }
    return new UserError(`${url}: ${f.status !== null ? `HTTP ${f.status}` : "bad request"}${said}`);
  }

  /** One chat completion: the assistant's text and the retries it took. */
  async complete(messages: ChatMessage[], info?: ChatCallInfo): Promise<ChatReply> {
    const model = await this.modelName();
    const args: Record<string, unknown> = {
      model,
      messages,
      temperature: this.o.temperature,
      max_tokens: this.o.maxTokens,
      top_p: this.o.topP,
    };
    if (this.seed !== null && info) args.seed = requestSeed(this.seed, info);
    const { value: out, retries } = await this.withRetries(
      this.chatUrl,
      (signal) => this.client.chatCompletion(args as any, { signal, retry_on_error: false }) as Promise<any>,
      () => this.stats.requests++,
    );
    // validatingFetch checked the body: choices[0].message.content is a string.
    this.stats.replies++;
    return { content: out.choices[0].message.content as string, retries };
  }
}

export interface EndpointPolicyOptions extends EndpointOptions {
  /** Name in episode records (default: the model name, else "endpoint"). */
  name?: string;
  prompt?: Partial<PromptConfig>;
  /** Replies per step before the step gives no action (default 5). */
  maxAttempts?: number;
}

/** The ReAct agent on an OpenAI-compatible server. */
export class EndpointPolicy extends ReActPolicy {
  readonly client: EndpointClient;
  constructor(opts: EndpointPolicyOptions) {
    const client = new EndpointClient(opts);
    super((messages, info) => client.complete(messages, info), {
      name: opts.name ?? opts.model ?? "endpoint",
      prompt: opts.prompt,
      maxAttempts: opts.maxAttempts,
    });
    this.client = client;
  }
}

