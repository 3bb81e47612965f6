package stgrpo.cookingworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import scala.Tuple3;
import scala.collection.mutable.ListBuffer;
import textworldexpress.games.CookingWorldGame;
import textworldexpress.objects.FastObject;
import textworldexpress.struct.StepResult;

/**
 * Exact shortest-path search over a game's states, from the state an Env is in: A* with the consistent
 * lower bound of Heuristic.java, or plain breadth-first search (h = 0; the reference the A* is checked
 * against). Every transition is the engine's own step (`CookingWorldGame.step(action, kind, params)` on
 * the entries of its valid-action list, the call `step(actionString)` makes); between siblings the game
 * is put back with GameState.restore instead of being regenerated and replayed.
 *
 * Success ends a branch (the Python API's done), so does failure (an ingredient eaten or prepared wrongly).
 * The search does not stop at the first success: it expands every state with f = g + h ≤ D (D the shortest
 * length), which with a consistent h includes every state on every shortest path, each with its exact
 * distance g from the start. A backward pass over the edges s → c with g(c) = g(s) + 1 then marks the
 * states on a shortest path; an action at a marked state is optimal (keeps the shortest remaining length)
 * exactly when it leads to a marked state. `follow` walks an action sequence (the gold path) from the start
 * and reports the optimal actions at each of its states while it stays on a shortest path.
 */
final class Search {
  static final class Limits {
    long maxStates = 2_000_000;
    long maxMillis = 60_000;
  }

  private final Env env;
  private final CookingWorldGame game;
  private final GameState gs;
  private final Limits limits;

  private final Heuristic heuristic;
  private final KeyTable visited = new KeyTable();
  private int[] g = new int[1024];
  private int[] h = new int[1024];
  private int[] parent = new int[1024];
  private int[] parentAction = new int[1024];
  private long[] obsHash = new long[1024];
  private final List<byte[]> snaps = new ArrayList<>();
  private final BitSet goal = new BitSet(), closed = new BitSet(), dead = new BitSet();
  private int count;
  private final List<String> actionNames = new ArrayList<>();
  private final Map<String, Integer> actionIds = new HashMap<>();
  private final IntList edgeFrom = new IntList(), edgeTo = new IntList();
  /** Open list: buckets by f, then by g (deepest first). */
  private final List<List<IntList>> open = new ArrayList<>();
  private int openSize;

  long expanded, steps, keyConflicts, failures, inconsistent, duplicateNames;
  boolean exhausted;
  String stopReason = "";

  Search(Env env, Limits limits, boolean useHeuristic) {
    this.env = env;
    this.game = env.game();
    this.gs = env.state();
    this.limits = limits;
    this.heuristic = useHeuristic ? new Heuristic(game) : null;
  }

  /** The valid actions of the state the game is in, in the engine's generation order, first of each name. */
  private List<Tuple3<String, Object, FastObject[]>> actions() {
    ListBuffer<Tuple3<String, Object, FastObject[]>> all = game.lastValidActions();
    List<Tuple3<String, Object, FastObject[]>> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    scala.collection.Iterator<Tuple3<String, Object, FastObject[]>> it = all.iterator();
    while (it.hasNext()) {
      Tuple3<String, Object, FastObject[]> t = it.next();
      if (seen.add(t._1())) out.add(t);
      else duplicateNames++; // two visible objects of one name: the string reaches only the first
    }
    return out;
  }

  private StepResult apply(Tuple3<String, Object, FastObject[]> t) {
    steps++;
    return game.step(t._1(), (Integer) t._2(), t._3());
  }

  private int actionId(String a) {
    Integer k = actionIds.get(a);
    if (k != null) return k;
    actionIds.put(a, actionNames.size());
    actionNames.add(a);
    return actionNames.size() - 1;
  }

  private int add(GameState.Key key, int depth, int par, int act, long oh) {
    if (count == g.length) {
      int c = count * 2;
      g = Arrays.copyOf(g, c);
      h = Arrays.copyOf(h, c);
      parent = Arrays.copyOf(parent, c);
      parentAction = Arrays.copyOf(parentAction, c);
      obsHash = Arrays.copyOf(obsHash, c);
    }
    g[count] = depth;
    h[count] = heuristic == null ? 0 : heuristic.estimate();
    parent[count] = par;
    parentAction[count] = act;
    obsHash[count] = oh;
    snaps.add(null);
    visited.put(key.hi, key.lo, count);
    return count++;
  }

  private void push(int id) {
    int f = g[id] + h[id];
    while (open.size() <= f) open.add(new ArrayList<>());
    List<IntList> byG = open.get(f);
    while (byG.size() <= g[id]) byG.add(new IntList());
    byG.get(g[id]).add(id);
    openSize++;
    if (f < minF) minF = f;
  }

  private int minF = 0;

  /** Pop a state of least f (deepest g among those), or −1; skips entries made stale by a shorter g. */
  private int pop() {
    while (openSize > 0) {
      while (minF < open.size() && !nonEmpty(open.get(minF))) minF++;
      if (minF >= open.size()) return -1;
      List<IntList> byG = open.get(minF);
      for (int d = byG.size() - 1; d >= 0; d--) {
        IntList l = byG.get(d);
        if (l.size() == 0) continue;
        int id = l.removeLast();
        openSize--;
        if (closed.get(id) || g[id] != d) break; // stale entry: look again
        return id;
      }
    }
    return -1;
  }

  private static boolean nonEmpty(List<IntList> byG) {
    for (IntList l : byG) if (l.size() > 0) return true;
    return false;
  }

  /**
   * What a state shows that does not depend on the order of contents: score, success/failure and the SET
   * of valid actions. States with one (order-free) key must agree on it; checked at every revisit.
   */
  private static long shownHash(StepResult r) {
    long h = Double.doubleToLongBits(r.scoreRaw()) * 31 + (r.taskSuccess() ? 1 : 0) + (r.taskFailure() ? 2 : 0);
    long set = 0;
    for (String a : r.validActions()) set += mix(fnv(a));
    return h * 31 + set;
  }

  static long fnv(String s) {
    long h = 0xcbf29ce484222325L;
    for (int k = 0; k < s.length(); k++) {
      h ^= s.charAt(k);
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }

  /** First state seen with each look + inventory text, and the states that share a text with another. */
  private final Map<Long, Integer> textOwner = new HashMap<>();
  private final BitSet aliased = new BitSet();

  private void noteText(StepResult r, int id) {
    long t = fnv(r.freeLookStr()) * 31 + fnv(r.inventoryStr());
    Integer prev = textOwner.putIfAbsent(t, id);
    if (prev != null && prev != id) {
      aliased.set(prev);
      aliased.set(id);
    }
  }

  /** States whose look + inventory text is also shown by a state with a different key. */
  long textAliases() {
    return aliased.cardinality();
  }

  int states() {
    return count;
  }

  /** How many states were reached at each distance from the start. */
  int[] layerSizes() {
    int max = 0;
    for (int k = 0; k < count; k++) max = Math.max(max, g[k]);
    int[] hist = new int[max + 1];
    for (int k = 0; k < count; k++) hist[g[k]]++;
    return hist;
  }

  private int shortest = -1;

  /** Run the search from the env's current state. Returns the shortest success length, or −1. */
  int run() {
    long t0 = System.currentTimeMillis();
    byte[] rootSnap = gs.snapshot();
    StepResult r0 = env.current();
    GameState.Key k0 = gs.key(false);
    add(k0, 0, -1, -1, shownHash(r0));
    snaps.set(0, rootSnap);
    noteText(r0, 0);
    if (r0.taskSuccess()) goal.set(0);
    if (r0.taskFailure()) return -1;
    push(0);
    int id;
    while ((id = pop()) >= 0) {
      int f = g[id] + h[id];
      if (shortest >= 0 && f > shortest) break;
      closed.set(id);
      if (goal.get(id)) {
        if (shortest < 0) shortest = g[id];
        continue;
      }
      byte[] snap = snaps.get(id);
      snaps.set(id, null);
      gs.restore(snap);
      List<Tuple3<String, Object, FastObject[]>> acts = actions();
      expanded++;
      for (int a = 0; a < acts.size(); a++) {
        if (a > 0) gs.restore(snap);
        StepResult r = apply(acts.get(a));
        GameState.Key key = gs.key(false);
        int cid = visited.get(key.hi, key.lo);
        long oh = shownHash(r);
        if (cid < 0) {
          cid = add(key, g[id] + 1, id, actionId(acts.get(a)._1()), oh);
          if (r.taskSuccess()) {
            goal.set(cid);
            push(cid);
          } else if (r.taskFailure()) {
            failures++;
            closed.set(cid);
            dead.set(cid);
          } else {
            snaps.set(cid, gs.snapshot());
            push(cid);
          }
        } else {
          if (obsHash[cid] != oh) keyConflicts++;
          if (g[id] + 1 < g[cid] && !closed.get(cid)) {
            g[cid] = g[id] + 1;
            parent[cid] = id;
            parentAction[cid] = actionId(acts.get(a)._1());
            push(cid);
          }
        }
        noteText(r, cid);
        if (!dead.get(cid) && h[id] > 1 + h[cid]) inconsistent++;
        if (cid != id) {
          edgeFrom.add(id);
          edgeTo.add(cid);
        }
      }
      if (count > limits.maxStates || System.currentTimeMillis() - t0 > limits.maxMillis) {
        exhausted = true;
        stopReason = count > limits.maxStates ? "state limit (" + limits.maxStates + ")" : "time limit (" + limits.maxMillis + " ms)";
        gs.restore(rootSnap);
        return -1;
      }
    }
    gs.restore(rootSnap);
    if (shortest < 0) return -1;
    markShortest();
    return shortest;
  }

  private BitSet onShortest;

  private void markShortest() {
    // States at distance D that are wins, then backwards by distance over edges that add exactly one.
    onShortest = new BitSet();
    for (int k = goal.nextSetBit(0); k >= 0; k = goal.nextSetBit(k + 1)) if (g[k] == shortest) onShortest.set(k);
    List<IntList> byDepth = new ArrayList<>();
    for (int d = 0; d <= shortest; d++) byDepth.add(new IntList());
    for (int e = 0; e < edgeFrom.size(); e++) {
      int from = edgeFrom.get(e), to = edgeTo.get(e);
      if (g[to] == g[from] + 1 && g[from] < shortest) byDepth.get(g[from]).add(e);
    }
    for (int d = shortest - 1; d >= 0; d--) {
      IntList es = byDepth.get(d);
      for (int k = 0; k < es.size(); k++) {
        int e = es.get(k);
        if (onShortest.get(edgeTo.get(e))) onShortest.set(edgeFrom.get(e));
      }
    }
  }

  /** One shortest successful path (by parent links, which hold each state's exact distance). */
  List<String> shortestPath() {
    int win = -1;
    for (int k = goal.nextSetBit(0); k >= 0 && win < 0; k = goal.nextSetBit(k + 1)) if (g[k] == shortest) win = k;
    List<String> path = new ArrayList<>();
    for (int s = win; s > 0; s = parent[s]) path.add(actionNames.get(parentAction[s]));
    java.util.Collections.reverse(path);
    return path;
  }

  /** A canonical shortest path and the optimal actions at each of its states. */
  static final class Plan {
    final List<String> actions = new ArrayList<>();
    final List<List<String>> optimal = new ArrayList<>();
  }

  /**
   * The canonical shortest path from the start (after run() found one): at every state, the first action
   * in the engine's own listing of the valid actions (the order an agent sees) that keeps the shortest
   * remaining length. Deterministic, and the states along it are exactly those a replay shows (the RNG
   * is part of what restore puts back).
   */
  Plan plan() {
    Plan out = new Plan();
    byte[] snap = gs.snapshot();
    StepResult cur = env.current();
    int id = 0;
    while (!goal.get(id)) {
      List<String> best = new ArrayList<>();
      StepResult next = null;
      byte[] nextSnap = null;
      int nextId = -1;
      for (String a : cur.validActions()) {
        gs.restore(snap);
        steps++;
        StepResult r = game.step(a);
        GameState.Key key = gs.key(false);
        int cid = visited.get(key.hi, key.lo);
        if (cid >= 0 && g[cid] == g[id] + 1 && onShortest.get(cid)) {
          best.add(a);
          if (next == null) {
            out.actions.add(a);
            next = r;
            nextSnap = gs.snapshot();
            nextId = cid;
          }
        }
      }
      if (next == null) throw new IllegalStateException("no optimal action at step " + out.actions.size() + " of the plan");
      java.util.Collections.sort(best);
      out.optimal.add(best);
      cur = next;
      snap = nextSnap;
      id = nextId;
    }
    return out;
  }

  /** Per state of `follow` (from the start) while it stays on a shortest path: the optimal actions. */
  static final class Along {
    final List<List<String>> optimal = new ArrayList<>();
    /** Where following stopped: "success", "end" (sequence exhausted) or "left" (off every shortest path). */
    String stop = "end";
  }

  Along follow(List<String> seq) {
    Along out = new Along();
    byte[] snap = gs.snapshot();
    int cur = 0;
    for (int j = 0; ; j++) {
      if (goal.get(cur)) {
        out.stop = "success";
        break;
      }
      if (j >= seq.size()) break;
      if (cur < 0 || g[cur] != j || !onShortest.get(cur)) {
        out.stop = "left";
        break;
      }
      gs.restore(snap);
      List<Tuple3<String, Object, FastObject[]>> acts = actions();
      List<String> best = new ArrayList<>();
      Tuple3<String, Object, FastObject[]> taken = null;
      for (Tuple3<String, Object, FastObject[]> t : acts) {
        gs.restore(snap);
        apply(t);
        GameState.Key key = gs.key(false);
        int cid = visited.get(key.hi, key.lo);
        if (cid >= 0 && g[cid] == j + 1 && onShortest.get(cid)) best.add(t._1());
        if (t._1().equals(seq.get(j).trim())) taken = t;
      }
      if (taken == null) throw new Server.RequestError("action \"" + seq.get(j) + "\" (step " + j + " of the sequence to follow) is not valid in " + env.task + " seed " + env.seed);
      java.util.Collections.sort(best);
      out.optimal.add(best);
      gs.restore(snap);
      apply(taken);
      snap = gs.snapshot();
      GameState.Key key = gs.key(false);
      cur = visited.get(key.hi, key.lo);
      if (cur < 0) {
        out.stop = "left";
        break;
      }
    }
    return out;
  }

  /** Growable int list. */
  static final class IntList {
    private int[] a = new int[256];
    private int n;

    void add(int v) {
      if (n == a.length) a = Arrays.copyOf(a, n * 2);
      a[n++] = v;
    }

    int get(int k) {
      return a[k];
    }

    int removeLast() {
      return a[--n];
    }

    int size() {
      return n;
    }
  }

  /** Open-addressing map from a 128-bit key to an int (−1 when absent). */
  static final class KeyTable {
    private long[] his = new long[1 << 12], los = new long[1 << 12];
    private int[] vals = new int[1 << 12];
    private boolean[] used = new boolean[1 << 12];
    private int size;

    int get(long hi, long lo) {
      int mask = his.length - 1;
      for (int p = (int) (mix(lo) & mask); used[p]; p = (p + 1) & mask) if (his[p] == hi && los[p] == lo) return vals[p];
      return -1;
    }

    void put(long hi, long lo, int v) {
      if (2 * (size + 1) > his.length) grow();
      int mask = his.length - 1;
      int p = (int) (mix(lo) & mask);
      while (used[p]) {
        if (his[p] == hi && los[p] == lo) {
          vals[p] = v;
          return;
        }
        p = (p + 1) & mask;
      }
      used[p] = true;
      his[p] = hi;
      los[p] = lo;
      vals[p] = v;
      size++;
    }

    private void grow() {
      long[] h = his, l = los;
      int[] v = vals;
      boolean[] u = used;
      his = new long[h.length * 2];
      los = new long[h.length * 2];
      vals = new int[h.length * 2];
      used = new boolean[h.length * 2];
      size = 0;
      for (int k = 0; k < h.length; k++) if (u[k]) put(h[k], l[k], v[k]);
    }
  }
}
