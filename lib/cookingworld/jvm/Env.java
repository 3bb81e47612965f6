package stgrpo.cookingworld;

import java.util.Arrays;
import textworldexpress.games.CookingWorldGame;
import textworldexpress.generator.GameGenerator;
import textworldexpress.runtime.PythonInterface;
import textworldexpress.struct.StepResult;

/**
 * One CookingWorld game, played exactly as the package's Python API plays it: through the engine's
 * `textworldexpress.runtime.PythonInterface` (generateNewGame, step), in-process instead of over py4j.
 * The only addition is that an action outside the current valid actions is an error here, where the
 * Python API answers "Unknown action" and leaves the state unchanged.
 */
final class Env {
  final String task;
  final int seed;
  final String fold;
  final PythonInterface iface;
  private final GameGenerator generator;
  /** Actions taken since reset. */
  int steps;
  private GameState state;

  private Env(String task, GameGenerator generator, int seed, String fold, PythonInterface iface) {
    this.task = task;
    this.generator = generator;
    this.seed = seed;
    this.fold = fold;
    this.iface = iface;
  }

  /** A fresh game: `generateNewGame(seed, fold, gold)` on an interface holding the level's generator. */
  static Env create(String task, GameGenerator generator, int seed, String fold, boolean gold) {
    PythonInterface iface = new PythonInterface();
    iface.gameGenerator_$eq(generator);
    StepResult r = iface.generateNewGame(seed, fold, gold);
    if (!iface.errorStr().isEmpty()) throw new IllegalStateException(iface.errorStr());
    if (r.validActions().length == 0) throw new IllegalStateException("the engine returned no game: " + r.observationStr());
    Env e = new Env(task, generator, seed, fold, iface);
    // Index the objects now, while exactly the generated ones exist (GameState's contract).
    e.state = new GameState(e.game());
    return e;
  }

  CookingWorldGame game() {
    return (CookingWorldGame) iface.game();
  }

  StepResult current() {
    return iface.curStepResult();
  }

  GameState state() {
    return state;
  }

  String where() {
    return task + " seed " + seed + " (step " + steps + ")";
  }

  StepResult step(String action) {
    String a = action.trim();
    String[] valid = current().validActions();
    if (!Arrays.asList(valid).contains(a)) {
      throw new Server.RequestError("invalid action \"" + action + "\" in " + where() + ": not one of the " + valid.length + " valid actions");
    }
    StepResult r = iface.step(a);
    steps++;
    return r;
  }

  /** An independent copy in the same state (same observation, valid-action order and future). */
  Env copy() {
    Env e = create(task, generator, seed, fold, false);
    e.state.restore(state.snapshot());
    e.iface.curStepResult_$eq(current());
    e.steps = steps;
    return e;
  }
}
