package stgrpo.cookingworld;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import textworldexpress.generator.GameGenerator;
import textworldexpress.runtime.PythonInterface;
import textworldexpress.struct.StepResult;

/**
 * CookingWorld over JSON lines on stdio (lib/cookingworld/engine.ts is the client; notes/cookingworld.md
 * the protocol). One request per line, `{"id": n, "op": …}`; one response per request, in order,
 * `{"id": n, "ok": true, …}` or `{"id": n, "ok": false, "error": "<one line>"}`. Requests are handled one
 * at a time; responses are flushed when no further request is waiting, so a client that pipelines many
 * requests (many environments) gets them back in few writes. The process ends when stdin closes, so it
 * cannot outlive its parent. The engine's own println output goes to stderr, never into the protocol.
 */
public final class Server {
  static final int PROTOCOL = 1;

  /** A request the client got wrong: answered with its message, the process carries on. */
  static final class RequestError extends RuntimeException {
    RequestError(String m) {
      super(m);
    }
  }

  private final Map<String, GameGenerator> generators = new HashMap<>();
  private final Map<Long, Env> envs = new HashMap<>();
  private final Map<String, Set<Integer>> folds = new HashMap<>();
  private final Map<String, List<Integer>> foldLists = new HashMap<>();

  Server() {
    PythonInterface p = new PythonInterface();
    foldLists.put("train", ints(p.getSeedsTrain()));
    foldLists.put("dev", ints(p.getSeedsDev()));
    foldLists.put("test", ints(p.getSeedsTest()));
    for (Map.Entry<String, List<Integer>> e : foldLists.entrySet()) folds.put(e.getKey(), new HashSet<>(e.getValue()));
  }

  private static List<Integer> ints(List<Object> xs) {
    List<Integer> out = new ArrayList<>();
    for (Object x : xs) out.add(((Number) x).intValue());
    return out;
  }

  /**
   * `--in PATH --out PATH` read requests from and write responses to named pipes instead of stdin and
   * stdout (the synchronous client's transport, lib/cookingworld/sync.ts); EOF on the input ends it alike.
   */
  public static void main(String[] args) throws IOException {
    String inPath = null, outPath = null;
    for (int k = 0; k + 1 < args.length; k += 2) {
      if (args[k].equals("--in")) inPath = args[k + 1];
      else if (args[k].equals("--out")) outPath = args[k + 1];
      else throw new IllegalArgumentException("unknown argument " + args[k]);
    }
    java.io.InputStream rawIn = inPath == null ? System.in : new java.io.FileInputStream(inPath);
    PrintStream protocolOut = new PrintStream(outPath == null ? new FileOutputStream(FileDescriptor.out) : new FileOutputStream(outPath), false, StandardCharsets.UTF_8);
    System.setOut(System.err);
    BufferedReader in = new BufferedReader(new InputStreamReader(rawIn, StandardCharsets.UTF_8), 1 << 16);
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(protocolOut, StandardCharsets.UTF_8), 1 << 16);
    Server server = new Server();
    String line;
    StringBuilder b = new StringBuilder(1 << 12);
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      b.setLength(0);
      server.handle(line, b);
      b.append('\n');
      out.write(b.toString());
      if (!in.ready()) out.flush();
    }
    out.flush();
    System.exit(0);
  }

  void handle(String line, StringBuilder b) {
    Map<String, Object> req = null;
    Object id = null;
    try {
      Object parsed = Json.parse(line);
      if (!(parsed instanceof Map)) throw new RequestError("a request is a JSON object");
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) parsed;
      req = r;
      id = req.get("id");
      b.append("{\"id\":");
      appendId(b, id);
      b.append(",\"ok\":true");
      dispatch(req, b);
      b.append('}');
    } catch (RequestError | IllegalArgumentException e) {
      b.setLength(0);
      error(b, id, e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      b.setLength(0);
      error(b, id, "engine error " + context(req) + ": " + e);
    }
  }

  private static void appendId(StringBuilder b, Object id) {
    if (id instanceof Double) Json.number(b, (Double) id);
    else if (id instanceof String) Json.quote(b, (String) id);
    else b.append("null");
  }

  private static void error(StringBuilder b, Object id, String message) {
    b.append("{\"id\":");
    appendId(b, id);
    b.append(",\"ok\":false,\"error\":");
    Json.quote(b, message == null ? "unknown error" : message.replace('\n', ' '));
    b.append('}');
  }

  private String context(Map<String, Object> req) {
    if (req == null) return "";
    Object env = req.get("env");
    if (env instanceof Double && envs.containsKey(((Double) env).longValue())) return "in " + envs.get(((Double) env).longValue()).where();
    if (req.get("task") != null) return "in " + req.get("task") + " seed " + (req.get("seed") instanceof Double ? String.valueOf(((Double) req.get("seed")).longValue()) : req.get("seed"));
    return "(" + req.get("op") + ")";
  }

  private void dispatch(Map<String, Object> req, StringBuilder b) {
    String op = str(req, "op");
    switch (op) {
      case "hello": {
        b.append(",\"protocol\":").append(PROTOCOL);
        b.append(",\"java\":");
        Json.quote(b, System.getProperty("java.version"));
        return;
      }
      case "seeds": {
        for (String f : new String[] {"train", "dev", "test"}) {
          b.append(",\"").append(f).append("\":[");
          List<Integer> xs = foldLists.get(f);
          for (int k = 0; k < xs.size(); k++) b.append(k > 0 ? "," : "").append(xs.get(k));
          b.append(']');
        }
        return;
      }
      case "reset": {
        long handle = lng(req, "env");
        Env e = newEnv(req, false);
        envs.put(handle, e);
        b.append(",\"goal\":");
        Json.quote(b, e.iface.getTaskDescription());
        result(b, e, e.current(), bool(req, "key"));
        return;
      }
      case "step": {
        Env e = env(req);
        StepResult r = e.step(str(req, "action"));
        result(b, e, r, bool(req, "key"));
        return;
      }
      case "clone": {
        Env src = env(req, "from");
        Env e = src.copy();
        envs.put(lng(req, "env"), e);
        result(b, e, e.current(), bool(req, "key"));
        return;
      }
      case "key": {
        b.append(",\"key\":");
        Json.quote(b, env(req).state().key(true).hex());
        return;
      }
      case "close": {
        envs.remove(lng(req, "env"));
        return;
      }
      case "gold": {
        gold(req, b);
        return;
      }
      case "search": {
        search(req, b);
        return;
      }
      case "plan": {
        plan(req, b);
        return;
      }
      default:
        throw new RequestError("unknown op \"" + op + "\"");
    }
  }

  private Env newEnv(Map<String, Object> req, boolean gold) {
    String task = str(req, "task");
    String params = str(req, "params");
    int seed = (int) lng(req, "seed");
    String fold = str(req, "fold");
    Set<Integer> seeds = folds.get(fold);
    if (seeds == null) throw new RequestError("unknown fold \"" + fold + "\" (train, dev or test)");
    if (!seeds.contains(seed)) throw new RequestError("seed " + seed + " is not a " + fold + " seed of " + task + " (the engine's " + fold + " seeds are " + range(foldLists.get(fold)) + ")");
    return Env.create(task, generator(task, params), seed, fold, gold);
  }

  private static String range(List<Integer> xs) {
    return xs.isEmpty() ? "none" : xs.get(0) + "…" + xs.get(xs.size() - 1);
  }

  /** One generator per level (the Python API's load(), done once: it reads the data files). */
  private GameGenerator generator(String task, String params) {
    GameGenerator g = generators.get(params);
    if (g != null) return g;
    scala.Tuple2<scala.collection.immutable.Map<String, Object>, String> parsed = PythonInterface.parseParamStr(params);
    if (!parsed._2().isEmpty()) throw new RequestError("bad parameters for " + task + " (" + params + "): " + parsed._2());
    PythonInterface p = new PythonInterface();
    String err = p.load("cookingworld", params);
    if (!err.isEmpty()) throw new RequestError("the engine refused the parameters of " + task + " (" + params + "): " + err.trim());
    generators.put(params, p.gameGenerator());
    return p.gameGenerator();
  }

  private Env env(Map<String, Object> req) {
    return env(req, "env");
  }

  private Env env(Map<String, Object> req, String field) {
    long h = lng(req, field);
    Env e = envs.get(h);
    if (e == null) throw new RequestError("no environment " + h + " (reset it first)");
    return e;
  }

  private static void result(StringBuilder b, Env e, StepResult r, boolean withKey) {
    b.append(",\"observation\":");
    Json.quote(b, r.observationStr());
    b.append(",\"look\":");
    Json.quote(b, r.freeLookStr());
    b.append(",\"inventory\":");
    Json.quote(b, r.inventoryStr());
    b.append(",\"validActions\":");
    Json.strings(b, r.validActions());
    b.append(",\"score\":");
    Json.number(b, r.scoreNormalized());
    b.append(",\"scoreRaw\":");
    Json.number(b, r.scoreRaw());
    b.append(",\"success\":").append(r.taskSuccess());
    b.append(",\"failure\":").append(r.taskFailure());
    b.append(",\"steps\":").append(e.steps);
    if (withKey) {
      b.append(",\"key\":");
      Json.quote(b, e.state().key(true).hex());
    }
  }

  /**
   * The engine's gold path (`getGoldActionSequence`) and the playable one: the gold agent steps its game
   * with game.step(string), which takes an invalid action as a no-op, and some of its paths hold one
   * (e.g. "open kitchen cupboard" away from the kitchen). Through PythonInterface such an action changes
   * nothing either ("Unknown action"), so dropping it leaves every later state, RNG included, the same.
   */
  private void gold(Map<String, Object> req, StringBuilder b) {
    Env e = newEnv(req, true);
    List<String> raw = e.iface.getGoldActionSequence();
    List<String> playable = new ArrayList<>();
    List<Integer> skipped = new ArrayList<>();
    for (int k = 0; k < raw.size(); k++) {
      String a = raw.get(k).trim();
      if (java.util.Arrays.asList(e.current().validActions()).contains(a) && !e.current().taskSuccess()) {
        e.step(a);
        playable.add(a);
      } else {
        skipped.add(k);
      }
    }
    b.append(",\"actions\":");
    Json.strings(b, playable);
    b.append(",\"raw\":");
    Json.strings(b, raw);
    b.append(",\"skipped\":").append(skipped.toString().replace(" ", ""));
    b.append(",\"success\":").append(e.current().taskSuccess());
  }

  /** A search from the game of a request, after its `prefix` of actions. */
  private Search searchFor(Map<String, Object> req) {
    Env e = newEnv(req, false);
    for (String a : strs(req, "prefix")) e.step(a);
    if (e.current().taskFailure()) throw new RequestError("the prefix loses " + e.where() + "; nothing to search");
    Search.Limits lim = new Search.Limits();
    if (req.get("maxStates") != null) lim.maxStates = lng(req, "maxStates");
    if (req.get("maxMillis") != null) lim.maxMillis = lng(req, "maxMillis");
    return new Search(e, lim, !"bfs".equals(req.get("method")));
  }

  /** The canonical shortest path (Search.plan) with the optimal actions along it. */
  private void plan(Map<String, Object> req, StringBuilder b) {
    long t0 = System.nanoTime();
    Search s = searchFor(req);
    int len = s.run();
    if (len < 0) {
      throw new RequestError("no plan for " + req.get("task") + " seed " + lng(req, "seed") + ": " + (s.exhausted ? "the search stopped at its " + s.stopReason + " after " + s.states() + " states" : "no successful path"));
    }
    Search.Plan p = s.plan();
    b.append(",\"length\":").append(len);
    b.append(",\"actions\":");
    Json.strings(b, p.actions);
    b.append(",\"optimal\":");
    Json.stringLists(b, p.optimal);
    b.append(",\"states\":").append(s.states());
    b.append(",\"millis\":").append((System.nanoTime() - t0) / 1_000_000);
  }

  private void search(Map<String, Object> req, StringBuilder b) {
    long t0 = System.nanoTime();
    Search s = searchFor(req);
    int len = s.run();
    b.append(",\"length\":").append(len);
    b.append(",\"exhausted\":").append(s.exhausted);
    if (s.exhausted) {
      b.append(",\"stopReason\":");
      Json.quote(b, s.stopReason);
    }
    b.append(",\"states\":").append(s.states());
    b.append(",\"expanded\":").append(s.expanded);
    b.append(",\"failures\":").append(s.failures);
    b.append(",\"layers\":[");
    int[] h = s.layerSizes();
    for (int k = 0; k < h.length; k++) b.append(k > 0 ? "," : "").append(h[k]);
    b.append("],\"keyConflicts\":").append(s.keyConflicts);
    b.append(",\"textAliases\":").append(s.textAliases());
    b.append(",\"inconsistent\":").append(s.inconsistent);
    b.append(",\"duplicateNames\":").append(s.duplicateNames);
    if (len >= 0) {
      b.append(",\"path\":");
      Json.strings(b, s.shortestPath());
      Search.Along along = s.follow(strs(req, "follow"));
      b.append(",\"optimal\":");
      Json.stringLists(b, along.optimal);
      b.append(",\"followStop\":");
      Json.quote(b, along.stop);
    }
    b.append(",\"engineSteps\":").append(s.steps);
    b.append(",\"millis\":").append((System.nanoTime() - t0) / 1_000_000);
  }

  // ---- request fields ----

  private static Object field(Map<String, Object> req, String k) {
    if (!req.containsKey(k)) throw new RequestError("request " + req.get("op") + " needs \"" + k + "\"");
    return req.get(k);
  }

  private static String str(Map<String, Object> req, String k) {
    Object v = field(req, k);
    if (!(v instanceof String)) throw new RequestError("\"" + k + "\" must be a string");
    return (String) v;
  }

  private static long lng(Map<String, Object> req, String k) {
    Object v = field(req, k);
    if (!(v instanceof Double) || ((Double) v) != Math.rint((Double) v)) throw new RequestError("\"" + k + "\" must be an integer");
    return ((Double) v).longValue();
  }

  private static boolean bool(Map<String, Object> req, String k) {
    return Boolean.TRUE.equals(req.get(k));
  }

  private static List<String> strs(Map<String, Object> req, String k) {
    Object v = req.get(k);
    List<String> out = new ArrayList<>();
    if (v == null) return out;
    if (!(v instanceof List)) throw new RequestError("\"" + k + "\" must be a list of strings");
    for (Object x : (List<?>) v) {
      if (!(x instanceof String)) throw new RequestError("\"" + k + "\" must be a list of strings");
      out.add((String) x);
    }
    return out;
  }
}
