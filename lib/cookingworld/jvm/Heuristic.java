package stgrpo.cookingworld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import textworldexpress.data.RecipeIngredient;
import textworldexpress.games.CookingWorldGame;
import textworldexpress.objects.FastObject;
import textworldexpress.objects.Room;

/**
 * A lower bound on the actions still needed to win, read from the engine's state, for A* (Search.java).
 * It never decides what an action does; it only lets the search skip states that cannot lie on a shortest
 * path. Derived from the game's rules (CookingWorldGame.scala: mkActions, the action methods, the scorer):
 *
 *   before the meal:  Σ ingredients not in the inventory (each needs a `take`)
 *                   + Σ required cuts not done + Σ required cookings not done (one action each)
 *                   + 1 if a cut is still needed and the knife is not held (`take knife`)
 *                   + the distinct CLOSED containers that directly hold an item still to be taken
 *                     (an item is visible, hence takeable, only with its container open)
 *                   + 2 (`prepare meal`, `eat meal`)
 *                   + moves: the largest, over what must still be visited, of door(here, there) +
 *                     dist(there, kitchen) (the room of each item to take, a room with a device for each
 *                     cooking — stove: fried, oven: roasted, barbeque or toaster: grilled — and the kitchen
 *                     itself, where the meal is prepared); dist counts moves on the map of room links,
 *                     door() also counts an `open door` for every door now closed on the way (a move
 *                     through a closed door does nothing, and each such door must be opened after now);
 *                     and at least the shortest walk (room links, doors ignored) from here through ALL
 *                     those rooms to the kitchen (exact, over the ≤ 11 rooms, choosing a device room where
 *                     there are several); the larger of the two;
 *   meal prepared:    1 (`eat meal`);   won: 0.
 *
 * It is consistent (no action lowers it by more than one): each action completes at most one counted
 * action; a move or opening a door changes every door() by at most one (a shortest route crosses a door
 * once) and dist() not at all for a door; and taking an item or cooking in room R happens in R, where
 * R's term dist(R, kitchen) ≤ door(R, kitchen), the kitchen term, so dropping it cannot lower the maximum,
 * nor the walk (visiting the room one stands in costs nothing). Consistency
 * is also checked on every edge the search generates (`inconsistent` must stay 0), which with h(win) = 0
 * gives admissibility along every explored path.
 */
final class Heuristic {
  private final CookingWorldGame game;
  private final FastObject[] ingredients;
  /** Per ingredient: required cut (1 chopped, 2 sliced, 3 diced, 0 none) and cooking (1 fried, 2 roasted, 3 grilled, 0 none). */
  private final int[] cut, cook;
  private final Room[] rooms;
  private final IdentityHashMap<FastObject, Integer> roomIndex = new IdentityHashMap<>();
  private final int[][] dist;
  private final int kitchen;
  private final FastObject knife;
  /** Rooms holding a device for cooking kind 1..3. */
  private final int[][] deviceRooms = new int[4][];

  Heuristic(CookingWorldGame game) {
    this.game = game;
    int n = game.taskObjects().length();
    ingredients = new FastObject[n];
    cut = new int[n];
    cook = new int[n];
    for (int i = 0; i < n; i++) {
      ingredients[i] = game.taskObjects().apply(i);
      RecipeIngredient r = game.recipe().apply(i);
      if (!r.name().equals(ingredients[i].name())) throw new IllegalStateException("recipe and task objects are not parallel");
      scala.collection.immutable.Set<String> p = r.preparation();
      cut[i] = p.contains("chopped") ? 1 : p.contains("sliced") ? 2 : p.contains("diced") ? 3 : 0;
      cook[i] = p.contains("fried") ? 1 : p.contains("roasted") ? 2 : p.contains("grilled") ? 3 : 0;
    }
    rooms = game.locations();
    for (int k = 0; k < rooms.length; k++) roomIndex.put(rooms[k], k);
    fromHere = new int[rooms.length];
    dist = new int[rooms.length][];
    for (int k = 0; k < rooms.length; k++) dist[k] = bfs(k);
    int kit = -1;
    for (int k = 0; k < rooms.length; k++) if (rooms[k].name().equals("kitchen")) kit = k;
    if (kit < 0) throw new IllegalStateException("no kitchen");
    kitchen = kit;
    FastObject kn = null;
    List<List<Integer>> dev = new ArrayList<>();
    for (int k = 0; k < 4; k++) dev.add(new ArrayList<>());
    for (int k = 0; k < rooms.length; k++) {
      for (FastObject o : all(rooms[k])) {
        if (o.name().equals("knife")) kn = o;
        if (o.isCookingDevice()) {
          String d = o.name();
          if (d.equals("stove")) dev.get(1).add(k);
          else if (d.equals("oven")) dev.get(2).add(k);
          else if (d.equals("barbeque") || d.equals("toaster")) dev.get(3).add(k);
        }
      }
    }
    knife = kn;
    for (int k = 1; k < 4; k++) deviceRooms[k] = dev.get(k).stream().mapToInt(Integer::intValue).toArray();
  }

  private static List<FastObject> all(FastObject root) {
    List<FastObject> out = new ArrayList<>();
    scala.collection.mutable.ArrayBuffer<FastObject> c = root.contents();
    for (int k = 0; k < c.length(); k++) {
      out.add(c.apply(k));
      out.addAll(all(c.apply(k)));
    }
    return out;
  }

  private int[] bfs(int from) {
    int[] d = new int[rooms.length];
    Arrays.fill(d, Integer.MAX_VALUE / 4);
    d[from] = 0;
    int[] queue = new int[rooms.length];
    int head = 0, tail = 0;
    queue[tail++] = from;
    while (head < tail) {
      int u = queue[head++];
      Room r = rooms[u];
      for (Room v : new Room[] {r.locationNorth(), r.locationSouth(), r.locationEast(), r.locationWest()}) {
        if (v == null) continue;
        int w = roomIndex.get(v);
        if (d[w] > d[u] + 1) {
          d[w] = d[u] + 1;
          queue[tail++] = w;
        }
      }
    }
    return d;
  }

  private boolean inInventory(FastObject o) {
    return o.currentContainer() == game.agentInventory();
  }

  /** The room an object is in (following containers up), or −1 (inventory, nowhere). */
  private int roomOf(FastObject o) {
    for (FastObject c = o.currentContainer(); c != null; c = c.currentContainer()) {
      Integer k = roomIndex.get(c);
      if (k != null) return k;
    }
    return -1;
  }

  private static boolean cutDone(FastObject o, int kind) {
    return kind == 1 ? o.isChopped() : kind == 2 ? o.isSliced() : o.isDiced();
  }

  private static boolean cookDone(FastObject o, int kind) {
    return kind == 1 ? o.isFried() : kind == 2 ? o.isRoasted() : o.isGrilled();
  }

  private final int[] fromHere;

  /** Moves plus door openings from `from` to every room, with the doors as they are now (Dijkstra, ≤ 11 rooms). */
  private void doorDistances(int from) {
    int n = rooms.length;
    Arrays.fill(fromHere, Integer.MAX_VALUE / 4);
    boolean[] done = new boolean[n];
    fromHere[from] = 0;
    for (int round = 0; round < n; round++) {
      int u = -1;
      for (int k = 0; k < n; k++) if (!done[k] && (u < 0 || fromHere[k] < fromHere[u])) u = k;
      if (u < 0 || fromHere[u] >= Integer.MAX_VALUE / 4) break;
      done[u] = true;
      Room r = rooms[u];
      relax(u, r.locationNorth(), r.doorNorth());
      relax(u, r.locationSouth(), r.doorSouth());
      relax(u, r.locationEast(), r.doorEast());
      relax(u, r.locationWest(), r.doorWest());
    }
  }

  private void relax(int u, Room v, FastObject door) {
    if (v == null) return;
    int w = roomIndex.get(v);
    int cost = fromHere[u] + (door != null && !door.isOpen() ? 2 : 1);
    if (cost < fromHere[w]) fromHere[w] = cost;
  }

  int estimate() {
    if (game.meal().isDefined()) return game.meal().get().isEaten() ? 0 : 1;
    int here = roomIndex.get(game.agentLocation());
    doorDistances(here);
    int actions = 2;
    int moves = fromHere[kitchen];
    boolean needKnife = false;
    groups.clear();
    Set<FastObject> closed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < ingredients.length; i++) {
      FastObject o = ingredients[i];
      if (!inInventory(o)) {
        actions++;
        moves = Math.max(moves, via(here, roomOf(o)));
        need(roomOf(o));
        FastObject c = o.currentContainer();
        if (c != null && c.isContainer() && c.isOpenable() && !c.isOpen()) closed.add(c);
      }
      if (cut[i] != 0 && !cutDone(o, cut[i])) {
        actions++;
        needKnife = true;
      }
      if (cook[i] != 0 && !cookDone(o, cook[i])) {
        actions++;
        int best = Integer.MAX_VALUE / 2;
        for (int r : deviceRooms[cook[i]]) best = Math.min(best, via(here, r));
        moves = Math.max(moves, best);
        groups.add(deviceRooms[cook[i]]);
      }
    }
    if (needKnife && knife != null && !inInventory(knife)) {
      actions++;
      moves = Math.max(moves, via(here, roomOf(knife)));
      need(roomOf(knife));
      FastObject c = knife.currentContainer();
      if (c != null && c.isContainer() && c.isOpenable() && !c.isOpen()) closed.add(c);
    }
    moves = Math.max(moves, walk(here));
    return actions + closed.size() + moves;
  }

  /** Rooms to visit, each a choice among alternatives (one room for an item, the device rooms for a cooking). */
  private final List<int[]> groups = new ArrayList<>();

  private void need(int room) {
    if (room >= 0) groups.add(new int[] {room});
  }

  private int[] dp = new int[0];

  /** The shortest walk from `here` through one room of every group, ending in the kitchen (rooms ≤ 11). */
  private int walk(int here) {
    int best = Integer.MAX_VALUE / 4;
    int[] choice = new int[groups.size()];
    for (;;) {
      int mask = 0;
      for (int k = 0; k < choice.length; k++) mask |= 1 << groups.get(k)[choice[k]];
      mask &= ~(1 << here);
      best = Math.min(best, tour(here, mask));
      int k = 0;
      while (k < choice.length && ++choice[k] == groups.get(k).length) choice[k++] = 0;
      if (k == choice.length) break;
    }
    return best;
  }

  /** Held-Karp over the rooms in `mask`: start at `here`, visit all, end in the kitchen. */
  private int tour(int here, int mask) {
    if (mask == 0) return dist[here][kitchen];
    int n = rooms.length;
    int full = 1 << n;
    if (dp.length < full * n) dp = new int[full * n];
    int inf = Integer.MAX_VALUE / 4;
    // dp[sub * n + last]: shortest walk from here visiting exactly the rooms of sub (⊆ mask), ending at last.
    for (int sub = 1; sub < full; sub++) {
      if ((sub & ~mask) != 0) continue;
      for (int last = 0; last < n; last++) {
        if ((sub & (1 << last)) == 0) continue;
        int prev = sub & ~(1 << last);
        int v;
        if (prev == 0) v = dist[here][last];
        else {
          v = inf;
          for (int p = 0; p < n; p++) if ((prev & (1 << p)) != 0) v = Math.min(v, dp[prev * n + p] + dist[p][last]);
        }
        dp[sub * n + last] = v;
      }
    }
    int best = inf;
    for (int last = 0; last < n; last++) if ((mask & (1 << last)) != 0) best = Math.min(best, dp[mask * n + last] + dist[last][kitchen]);
    return best;
  }

  /** Actions to reach room `r` from here (doors as they are) and then the kitchen (0 when r is unknown). */
  private int via(int here, int r) {
    return r < 0 ? 0 : fromHere[r] + dist[r][kitchen];
  }
}
