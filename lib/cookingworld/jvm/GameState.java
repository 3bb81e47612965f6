package stgrpo.cookingworld;

import java.lang.reflect.Field;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.mutable.ArrayBuffer;
import textworldexpress.games.CookingWorldGame;
import textworldexpress.games.CookingWorldGameScoring;
import textworldexpress.objects.FastObject;
import textworldexpress.objects.Meal;
import textworldexpress.objects.Room;
import textworldexpress.struct.GameScore;

/**
 * Save, restore and identify the complete mutable state of one CookingWorldGame, reading and writing the
 * engine's own fields (nothing here decides what an action does: stepping is always the engine's).
 *
 * What is mutable, from the engine's source and `javap` of the 1.1.0 jar: per object, its boolean flags
 * (open, cut/chopped/sliced/diced, raw/fried/roasted/grilled, read, deleted, eaten, …), its container and
 * the ORDER of its contents (the order shows in the room descriptions); per game, the agent's location,
 * the prepared meal (the only object created after generation), the deleted-objects list, the scorer
 * (ingredients ever found, the score frozen when the meal is prepared, the current score) and the RNG
 * that shuffles each step's valid-action list. Room links, doors' identities, recipe and texts are fixed
 * at generation. The action history is only appended to (never read by the game), so it is left out.
 *
 * A snapshot is an int[] over object indices fixed right after generation, so it restores into the same
 * game (undo, for search) or into a fresh game of the same level and seed (clone). The state key is a
 * 128-bit hash of the snapshot WITHOUT the RNG and the read flags: the RNG only orders the valid actions
 * (the set, the observations and the outcomes do not depend on it), and CookingWorldGame only ever writes
 * `hasBeenRead` (checked with javap: no read of it in the game class). Equal keys therefore mean equal
 * futures up to the order in which valid actions are listed (see key() for the order-free variant).
 */
final class GameState {
  private static final Field RANDOM_SEED = randomSeedField();

  private final CookingWorldGame game;
  private final CookingWorldGameScoring scorer;
  /** Objects by index; index `meal` is the prepared meal's slot (null until one exists). */
  private final FastObject[] objects;
  private final IdentityHashMap<FastObject, Integer> index = new IdentityHashMap<>();
  private final int mealSlot;
  /** Each object's flags right after generation (the meal slot: a fresh Meal's). */
  private final int[] initial;
  private final AtomicLong rngSeed;
  private final int[] buf, unpacked;
  private int n;

  GameState(CookingWorldGame game) {
    this.game = game;
    this.scorer = game.scorer();
    List<FastObject> all = new ArrayList<>();
    for (Room r : game.locations()) {
      collect(r, all);
      for (FastObject d : new FastObject[] {r.doorNorth(), r.doorSouth(), r.doorEast(), r.doorWest()}) collect(d, all);
    }
    collect(game.agentInventory(), all);
    for (int k = 0; k < game.deletedObjects().length(); k++) collect(game.deletedObjects().apply(k), all);
    for (int k = 0; k < game.taskObjects().length(); k++) collect(game.taskObjects().apply(k), all);
    if (game.meal().isDefined()) throw new IllegalStateException("state index built after the meal was prepared");
    mealSlot = all.size();
    objects = all.toArray(new FastObject[mealSlot + 1]);
    initial = new int[mealSlot + 1];
    for (int k = 0; k < mealSlot; k++) initial[k] = flags(objects[k]);
    initial[mealSlot] = flags(new Meal());
    rngSeed = seedOf(game.random().self());
    buf = new int[64 + 8 * (mealSlot + 1) + 4 * (mealSlot + 1)];
    unpacked = new int[buf.length];
  }

  private void collect(FastObject o, List<FastObject> all) {
    if (o == null || index.containsKey(o)) return;
    index.put(o, all.size());
    all.add(o);
    ArrayBuffer<FastObject> c = o.contents();
    for (int k = 0; k < c.length(); k++) collect(c.apply(k), all);
  }

  private int idx(FastObject o) {
    if (o == null) return -1;
    Integer k = index.get(o);
    if (k != null) return k;
    Option<FastObject> meal = game.meal();
    if (meal.isDefined() && meal.get() == o) {
      // A meal prepared since the last snapshot: it takes the slot (a restore reuses this instance).
      if (objects[mealSlot] != null) index.remove(objects[mealSlot]);
      objects[mealSlot] = o;
      index.put(o, mealSlot);
      return mealSlot;
    }
    throw new IllegalStateException("object '" + o.name() + "' was created after generation and is not the meal");
  }

  // Flag bits: those the game's actions write first (low bits), then those only generation sets. A
  // snapshot stores them XOR the object's flags at generation, so that they are mostly 0 (compact).
  private static final int READ = 1 << 9;

  private static int flags(FastObject o) {
    int f = 0;
    if (o.isOpen()) f |= 1;
    if (o.isCut()) f |= 1 << 1;
    if (o.isChopped()) f |= 1 << 2;
    if (o.isSliced()) f |= 1 << 3;
    if (o.isDiced()) f |= 1 << 4;
    if (o.isRaw()) f |= 1 << 5;
    if (o.isFried()) f |= 1 << 6;
    if (o.isRoasted()) f |= 1 << 7;
    if (o.isGrilled()) f |= 1 << 8;
    if (o.hasBeenRead()) f |= READ;
    if (o.isDeleted()) f |= 1 << 10;
    if (o.isEaten()) f |= 1 << 11;
    if (o.isContainer()) f |= 1 << 12;
    if (o.isOpenable()) f |= 1 << 13;
    if (o.isLocation()) f |= 1 << 14;
    if (o.isCookingDevice()) f |= 1 << 15;
    if (o.isMovable()) f |= 1 << 16;
    if (o.isEdible()) f |= 1 << 17;
    if (o.isDrinkable()) f |= 1 << 18;
    if (o.isCuttable()) f |= 1 << 19;
    if (o.isCookable()) f |= 1 << 20;
    if (o.needsCooking()) f |= 1 << 21;
    if (o.isReadable()) f |= 1 << 22;
    return f;
  }

  private static void setFlags(FastObject o, int f) {
    o.isOpen_$eq((f & 1) != 0);
    o.isCut_$eq((f & 1 << 1) != 0);
    o.isChopped_$eq((f & 1 << 2) != 0);
    o.isSliced_$eq((f & 1 << 3) != 0);
    o.isDiced_$eq((f & 1 << 4) != 0);
    o.isRaw_$eq((f & 1 << 5) != 0);
    o.isFried_$eq((f & 1 << 6) != 0);
    o.isRoasted_$eq((f & 1 << 7) != 0);
    o.isGrilled_$eq((f & 1 << 8) != 0);
    o.hasBeenRead_$eq((f & READ) != 0);
    o.isDeleted_$eq((f & 1 << 10) != 0);
    o.isEaten_$eq((f & 1 << 11) != 0);
    o.isContainer_$eq((f & 1 << 12) != 0);
    o.isOpenable_$eq((f & 1 << 13) != 0);
    o.isLocation_$eq((f & 1 << 14) != 0);
    o.isCookingDevice_$eq((f & 1 << 15) != 0);
    o.isMovable_$eq((f & 1 << 16) != 0);
    o.isEdible_$eq((f & 1 << 17) != 0);
    o.isDrinkable_$eq((f & 1 << 18) != 0);
    o.isCuttable_$eq((f & 1 << 19) != 0);
    o.isCookable_$eq((f & 1 << 20) != 0);
    o.needsCooking_$eq((f & 1 << 21) != 0);
    o.isReadable_$eq((f & 1 << 22) != 0);
  }

  /*
   * Snapshot layout (ints):
   *   [0] agent location  [1] meal present  [2] ingredients-found bits  [3,4] maxScoreFromPrep
   *   [5,6] score raw  [7,8] score normalised  [9] success | failure<<1  [10,11] RNG seed (not in the key)
   *   [12] #deleted, deleted indices…
   *   per object k in 0..meal slot (the slot only when a meal exists): flags, container+1, #contents, contents…
   */
  private static final int RNG_HI = 10, RNG_LO = 11;

  private void put(int v) {
    buf[n++] = v;
  }

  private void putDouble(double d) {
    long b = Double.doubleToLongBits(d);
    put((int) (b >>> 32));
    put((int) b);
  }

  private void encode() {
    n = 0;
    Option<FastObject> meal = game.meal();
    put(idx(game.agentLocation()));
    put(meal.isDefined() ? 1 : 0);
    if (meal.isDefined()) idx(meal.get());
    boolean[] found = scorer.ingredientsFound();
    int bits = 0;
    for (int k = 0; k < found.length; k++) if (found[k]) bits |= 1 << k;
    put(bits);
    putDouble(scorer.maxScoreFromPrep());
    GameScore s = scorer.curScore();
    putDouble(s.scoreRaw());
    putDouble(s.scoreNormalized());
    put((s.taskSuccess() ? 1 : 0) | (s.taskFailure() ? 2 : 0));
    long seed = rngSeed.get();
    put((int) (seed >>> 32));
    put((int) seed);
    ArrayBuffer<FastObject> del = game.deletedObjects();
    put(del.length());
    for (int k = 0; k < del.length(); k++) put(idx(del.apply(k)));
    int count = meal.isDefined() ? mealSlot + 1 : mealSlot;
    for (int k = 0; k < count; k++) {
      FastObject o = objects[k];
      put(flags(o) ^ initial[k]);
      put(idx(o.currentContainer()) + 1);
      ArrayBuffer<FastObject> c = o.contents();
      put(c.length());
      for (int j = 0; j < c.length(); j++) put(idx(c.apply(j)));
    }
  }

  /**
   * The full state, for restore (into this game, or into a fresh game of the same level and seed), packed
   * as zigzag varints (a few hundred bytes: the search keeps one per open state).
   */
  byte[] snapshot() {
    encode();
    byte[] out = new byte[n * 5];
    int q = 0;
    for (int k = 0; k < n; k++) {
      int v = (buf[k] << 1) ^ (buf[k] >> 31);
      while ((v & ~0x7f) != 0) {
        out[q++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      out[q++] = (byte) v;
    }
    return java.util.Arrays.copyOf(out, q);
  }


  /** Put the game back into a snapshot's state; the valid actions are regenerated by the engine. */
  void restore(byte[] packed) {
    int[] s = unpacked;
    int m = 0;
    for (int q = 0; q < packed.length; ) {
      int v = 0, shift = 0, b;
      do {
        b = packed[q++];
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      s[m++] = (v >>> 1) ^ -(v & 1);
    }
    apply(s);
  }

  private void apply(int[] s) {
    game.agentLocation_$eq((Room) objects[s[0]]);
    boolean hasMeal = s[1] != 0;
    if (hasMeal && objects[mealSlot] == null) {
      Meal m = new Meal();
      objects[mealSlot] = m;
      index.put(m, mealSlot);
    }
    // The engine's jar is minimised (no Option.empty, no Buffer.clear): Option(null) is None.
    Option<FastObject> meal = scala.Option$.MODULE$.apply(hasMeal ? objects[mealSlot] : null);
    game.meal_$eq(meal);
    scorer.preparedMeal_$eq(meal);
    boolean[] found = scorer.ingredientsFound();
    for (int k = 0; k < found.length; k++) found[k] = (s[2] & (1 << k)) != 0;
    scorer.maxScoreFromPrep_$eq(getDouble(s, 3));
    scorer.curScore_$eq(new GameScore(getDouble(s, 5), getDouble(s, 7), (s[9] & 1) != 0, (s[9] & 2) != 0));
    rngSeed.set(((long) s[RNG_HI] << 32) | (s[RNG_LO] & 0xffffffffL));
    int p = 12;
    ArrayBuffer<FastObject> del = game.deletedObjects();
    truncate(del);
    int nd = s[p++];
    for (int k = 0; k < nd; k++) del.addOne(objects[s[p++]]);
    int count = hasMeal ? mealSlot + 1 : mealSlot;
    for (int k = 0; k < count; k++) {
      FastObject o = objects[k];
      setFlags(o, s[p++] ^ initial[k]);
      int c = s[p++] - 1;
      o.currentContainer_$eq(c < 0 ? null : objects[c]);
      ArrayBuffer<FastObject> contents = o.contents();
      truncate(contents);
      int nc = s[p++];
      for (int j = 0; j < nc; j++) contents.addOne(objects[s[p++]]);
    }
    if (!hasMeal && objects[mealSlot] != null) {
      // The slot's meal does not exist in this state: detach it, so nothing can reach it.
      FastObject m = objects[mealSlot];
      truncate(m.contents());
      m.currentContainer_$eq(null);
    }
    truncate(game.history());
    game.lastValidActions_$eq(game.mkActions(game.getVisibleObjects()));
  }

  private static void truncate(ArrayBuffer<?> a) {
    for (int k = a.length() - 1; k >= 0; k--) a.remove(k);
  }

  private static double getDouble(int[] s, int at) {
    return Double.longBitsToDouble(((long) s[at] << 32) | (s[at + 1] & 0xffffffffL));
  }

  /**
   * The state key (see the class comment): 16 bytes of MD5 over the snapshot less RNG and read flags.
   * `ordered` false also forgets the order of every container's contents (and of the deleted objects):
   * the order only changes the text (the order in which a room lists things), never which actions exist
   * or what they do — appending and removing keep two states a permutation apart for ever — so the
   * order-free key is exact for distances and optimal actions and merges the permutations of what was
   * taken or put (the search's key). The ordered key also fixes the text (the env's `key`).
   */
  Key key(boolean ordered) {
    encode();
    buf[RNG_HI] = 0;
    buf[RNG_LO] = 0;
    int p = 12;
    if (!ordered) java.util.Arrays.sort(buf, p + 1, p + 1 + buf[p]);
    p += 1 + buf[p];
    int count = buf[1] != 0 ? mealSlot + 1 : mealSlot;
    for (int k = 0; k < count; k++) {
      buf[p] &= ~READ;
      p += 2;
      if (!ordered) java.util.Arrays.sort(buf, p + 1, p + 1 + buf[p]);
      p += 1 + buf[p];
    }
    return Key.of(buf, n);
  }

  /** 128-bit state key. */
  static final class Key {
    final long hi, lo;

    Key(long hi, long lo) {
      this.hi = hi;
      this.lo = lo;
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
      try {
        return MessageDigest.getInstance("MD5");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    static Key of(int[] a, int len) {
      MessageDigest md = MD5.get();
      byte[] bytes = new byte[len * 4];
      for (int k = 0; k < len; k++) {
        int v = a[k];
        bytes[4 * k] = (byte) (v >>> 24);
        bytes[4 * k + 1] = (byte) (v >>> 16);
        bytes[4 * k + 2] = (byte) (v >>> 8);
        bytes[4 * k + 3] = (byte) v;
      }
      byte[] d = md.digest(bytes);
      long hi = 0, lo = 0;
      for (int k = 0; k < 8; k++) hi = (hi << 8) | (d[k] & 0xff);
      for (int k = 8; k < 16; k++) lo = (lo << 8) | (d[k] & 0xff);
      return new Key(hi, lo);
    }

    String hex() {
      return String.format("%016x%016x", hi, lo);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).hi == hi && ((Key) o).lo == lo;
    }

    @Override
    public int hashCode() {
      return (int) (hi ^ (hi >>> 32));
    }
  }

  /** The java.util.Random inside the game's scala.util.Random (needs --add-opens java.base/java.util). */
  private static Field randomSeedField() {
    try {
      Field f = java.util.Random.class.getDeclaredField("seed");
      f.setAccessible(true);
      return f;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read java.util.Random's state (start the JVM with --add-opens java.base/java.util=ALL-UNNAMED): " + e);
    }
  }

  private static AtomicLong seedOf(java.util.Random r) {
    try {
      return (AtomicLong) RANDOM_SEED.get(r);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Iterate a Scala iterator from Java. */
  static <T> List<T> list(Iterator<T> it) {
    List<T> out = new ArrayList<>();
    while (it.hasNext()) out.add(it.next());
    return out;
  }
}
