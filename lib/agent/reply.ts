/**
 * The one validator of what a model server answers to POST /v1/chat/completions with status 200.
 *
 * A 200 whose body is not an OpenAI chat completion — invalid JSON, an HTML page from a proxy, no
 * `choices`, `choices: []`, a choice without a message, `content: null` — is the server's failure, not
 * the model's reply: it is retried with the client's backoff like a 5xx, and after the last try the
 * run stops with one line saying what came back. (Before, invalid JSON escaped as a stack trace and
 * `choices: [{}]` was recorded as an invalid model reply, so a broken proxy gave the model a worse score.)
 *
 * An empty string is a valid reply (the model said nothing); the ReAct agent re-prompts it.
 */

/** A 200 answer that is not a chat completion. Retryable: the server may answer properly next time. */
export class MalformedReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedReplyError";
  }
}

function shorten(s: string, max = 80): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Parse and check a chat-completion body (the raw text of a 200 answer and its content type). Returns
 * the parsed body with a string `choices[0].message.content`; throws MalformedReplyError naming the
 * first thing wrong otherwise. Fields only the client library insists on (id, created, model, usage)
 * are filled in when a server leaves them out: they carry nothing the evaluation uses.
 */
function checkChatCompletionBody(text: string, contentType: string | null): Record<string, any> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    const kind = /html/i.test(contentType ?? "") || /^\s*</.test(text) ? "an HTML page" : "invalid JSON";
    throw new MalformedReplyError(`malformed reply: ${kind} (${contentType || "no content type"}: ${JSON.stringify(shorten(text, 60))})`);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new MalformedReplyError(`malformed reply: not a JSON object (${shorten(JSON.stringify(body))})`);
  const b = body as Record<string, any>;
  const missing = (what: string) => new MalformedReplyError(`malformed reply: ${what} (${shorten(JSON.stringify(b), 120)})`);
  if (!Array.isArray(b.choices)) throw missing("no choices array");
  if (b.choices.length === 0) throw missing("choices is empty");
  const choice = b.choices[0];
  if (!choice || typeof choice !== "object") throw missing("choices[0] is not an object");
  if (!choice.message || typeof choice.message !== "object") throw missing("choices[0] has no message");
  if (typeof choice.message.content !== "string") throw missing(`choices[0].message.content is ${choice.message.content === null ? "null" : typeof choice.message.content}, not a string`);
  // The fields @huggingface/inference insists on (it throws "Expected ChatCompletionOutput" otherwise).
  return {
    ...b,
    id: typeof b.id === "string" ? b.id : "",
    created: typeof b.created === "number" ? b.created : 0,
    model: typeof b.model === "string" ? b.model : "",
    usage: b.usage && typeof b.usage === "object" ? b.usage : {},
    system_fingerprint: typeof b.system_fingerprint === "string" ? b.system_fingerprint : undefined,
  };
}

/**
 * A fetch for the client library that checks every 200 answer of `chatUrl` before the library reads
 * it: a malformed one rejects with MalformedReplyError (the library passes a rejected fetch through
 * untouched); a good one is handed on as JSON. Other URLs and non-2xx answers pass unchanged.
 */
export function validatingFetch(inner: typeof fetch, chatUrl: string): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!response.ok || url.replace(/\/+$/, "") !== chatUrl) return response;
    const text = await response.text();
    const body = checkChatCompletionBody(text, response.headers.get("content-type"));
    return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers: { "content-type": "application/json" } });
  };
}
