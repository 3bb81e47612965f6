/**
 * `make lab` end to end, as a user runs it: JupyterLab starts on a free loopback port and prints its
 * URL with the token; through Jupyter's REST API the test opens notebook 01 (contents API), starts
 * a session on the notebook's own kernel (tslab), runs the notebook's first two code cells over the
 * kernel's websocket and checks their outputs against lib computed here; then it shuts the kernel
 * and the server down and checks that both processes are gone. A failing test still kills both.
 *
 * Needs JupyterLab in .venv (requirements/lab.lock.txt; scripts/setup.sh installs it and `make lab`
 * runs that first).
 */
import test from "ava";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import WebSocket from "ws";
import { mdpTable, sandwichMdp } from "../lib/mdp/index";
import { REPO_ROOT } from "../lib/util/profile";

const NOTEBOOK = "01-mdp-definitions.ipynb";
const START_MS = 120_000; // setup check + Jupyter start on 2 busy cores
const CELL_MS = 180_000; // the first cell makes tslab compile lib

interface KernelMessage {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  channel: string;
  content: Record<string, any>;
}

/** A port nobody listens on now (Jupyter binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, ms: number, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The processes started for a kernel: their command line names its connection file. Jupyter starts
 * kernels in a session of their own, so they are not in the server's process group.
 */
function kernelPids(kernelId: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(`kernel-${kernelId}.json`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Runs one cell over the kernel's websocket; resolves with its iopub messages once it is idle. */
function execute(ws: WebSocket, session: string, code: string): Promise<{ reply: KernelMessage; iopub: KernelMessage[] }> {
  const msgId = randomUUID();
  return new Promise((resolve, reject) => {
    const iopub: KernelMessage[] = [];
    let reply: KernelMessage | undefined;
    let idle = false;
    const timer = setTimeout(() => finish(new Error(`cell did not finish in ${CELL_MS / 1000} s`)), CELL_MS);
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as KernelMessage;
      if (msg.parent_header.msg_id !== msgId) return;
      if (msg.channel === "shell" && msg.header.msg_type === "execute_reply") reply = msg;
      else if (msg.channel === "iopub" && msg.header.msg_type === "status") idle ||= msg.content.execution_state === "idle";
      else if (msg.channel === "iopub") iopub.push(msg);
      if (reply && idle) finish();
    };
    const onClose = () => finish(new Error("the kernel websocket closed during the cell"));
    function finish(error?: Error) {
      clearTimeout(timer);
      ws.off("message", onMessage).off("close", onClose);
      if (error) reject(error);
      else resolve({ reply: reply!, iopub });
    }
    ws.on("message", onMessage).on("close", onClose);
    ws.send(JSON.stringify({
      header: { msg_id: msgId, msg_type: "execute_request", session, username: "lab-test", date: new Date().toISOString(), version: "5.3" },
      parent_header: {},
      metadata: {},
      channel: "shell",
      buffers: [],
      content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    }));
  });
}

test("make lab serves the notebooks on loopback and runs a notebook's cells on the tslab kernel", async (t) => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-lab-"));
  const port = await freePort();
  // The user's Jupyter settings neither change this run nor receive its workspace.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PROFILE: "ci",
    JUPYTER_CONFIG_DIR: path.join(home, "config"),
    JUPYTERLAB_SETTINGS_DIR: path.join(home, "settings"),
    JUPYTERLAB_WORKSPACES_DIR: path.join(home, "workspaces"),
  };
  delete env.JUPYTER_TOKEN; // Jupyter prints a token only when it made it
  const lab = spawn("make", ["--no-print-directory", "lab", `LAB_PORT=${port}`], {
    cwd: REPO_ROOT,
    env,
    detached: true, // its own process group: make, Jupyter and what they start are stopped together
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  lab.stdout!.on("data", (d) => (output += d));
  lab.stderr!.on("data", (d) => (output += d));
  const state: { exitCode: number | null; exited: boolean } = { exitCode: null, exited: false };
  const exited = new Promise<void>((resolve) => lab.once("exit", (code) => {
    Object.assign(state, { exitCode: code, exited: true });
    resolve();
  }));
  let kernels: number[] = [];
  t.teardown(async () => {
    if (!state.exited && lab.pid) {
      process.kill(-lab.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (!state.exited) process.kill(-lab.pid, "SIGKILL");
    }
    for (const pid of kernels) if (alive(pid)) process.kill(pid, "SIGKILL");
    fs.rmSync(home, { recursive: true, force: true });
  });

  // The URL it prints: loopback, the port asked for, a token.
  const urlPattern = /http:\/\/([\d.]+):(\d+)\/lab\?token=([0-9a-f]{16,})/;
  await waitFor("the URL JupyterLab prints", START_MS, () => {
    if (state.exited) throw new Error(`make lab exited (${state.exitCode}) before printing its URL:\n${output.slice(-3000)}`);
    return urlPattern.test(output);
  });
  const [, host, printedPort, token] = output.match(urlPattern)!;
  t.is(host, "127.0.0.1");
  t.is(Number(printedPort), port);
  const base = `http://127.0.0.1:${port}`;
  const auth = { Authorization: `token ${token}` };
  // Jupyter's JSON replies (any: read field by field below); an empty body is undefined.
  const api = async (method: string, route: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { ...auth, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };

  // Bound to loopback only: another address of this machine refuses the port.
  const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal);
  if (external) {
    await t.throwsAsync(fetch(`http://${external.address}:${port}/api/status`), undefined, `reachable on ${external.address}`);
  } else t.log("no non-loopback IPv4 address here to check the binding against");
  t.is((await fetch(`${base}/api/status`)).status, 403, "the API answers without the token");

  // The notebook through the contents API, and its kernel among the server's kernel specs.
  const specs = await api("GET", "/api/kernelspecs");
  const notebook = await api("GET", `/api/contents/${NOTEBOOK}?content=1`);
  t.is(notebook.type, "notebook");
  const kernelName: string = notebook.content.metadata.kernelspec.name;
  t.is(kernelName, "tslab");
  t.truthy(specs.kernelspecs[kernelName], `kernel specs: ${Object.keys(specs.kernelspecs).join(", ")}`);
  const cells: string[] = notebook.content.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string | string[] }) => (Array.isArray(c.source) ? c.source.join("") : c.source));
  t.true(cells.length >= 2);

  // A session on the notebook, as opening it in the browser starts one.
  const session = await api("POST", "/api/sessions", { path: NOTEBOOK, name: NOTEBOOK, type: "notebook", kernel: { name: kernelName } });
  const kernelId: string = session.kernel.id;
  await waitFor("the kernel process", 30_000, () => (kernels = kernelPids(kernelId)).length > 0);

  const clientSession = randomUUID();
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/kernels/${kernelId}/channels?session_id=${clientSession}`, { headers: auth });
  await new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
  try {
    // Cell 1 imports lib through notebooks/lib and prints its configuration (PROFILE from the server's env).
    const first = await execute(ws, clientSession, cells[0]);
    const errors = first.iopub.filter((m) => m.header.msg_type === "error").map((m) => `${m.content.ename}: ${m.content.evalue}`);
    t.deepEqual(errors, []);
    t.is(first.reply.content.status, "ok");
    const stdout = first.iopub.filter((m) => m.header.msg_type === "stream").map((m) => m.content.text).join("");
    t.regex(stdout, /profile: 'ci'/);
    // Cell 2 shows the MDP's table as rich markdown: exactly what lib makes of it here.
    const second = await execute(ws, clientSession, cells[1]);
    t.is(second.reply.content.status, "ok");
    const markdown = second.iopub.filter((m) => m.header.msg_type === "display_data").map((m) => m.content.data["text/markdown"]);
    t.deepEqual(markdown, [mdpTable(sandwichMdp())]);
  } finally {
    ws.close();
  }

  // Shut down as the Lab UI does: the session (and its kernel), then the server.
  await api("DELETE", `/api/sessions/${session.id}`);
  await waitFor("the kernel to exit", 30_000, () => kernels.every((pid) => !alive(pid)));
  await api("POST", "/api/shutdown");
  await waitFor("make lab to exit", 60_000, () => state.exited);
  t.is(state.exitCode, 0, output.slice(-2000));
});
