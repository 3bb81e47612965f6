/**
 * GiGPO — Group-in-Group Policy Optimization (Feng et al. 2025, arXiv 2505.10978; the paper's ref. 10):
 * multi-turn GRPO whose advantage has a second, step-level part from *anchor states*.
 *
 * Per start layout, G episodes with π_old (multiturn.ts's rollouts), then for episode j and its step t:
 *
 * - episode-level (the paper's eq. 3): A^E_j = (R_j − mean_i R_i) / F_norm, R_j = 1 on success else 0 —
 *   exactly multi-turn GRPO's advantage;
 * - anchor states (eq. 6): the states that several steps of the group pass through — identical states,
 *   here equal `env.key()` within the group (one start, so keys are comparable; the paper matches
 *   identical observations, which in these fully observed kitchens is the same thing). A state visited
 *   twice by one episode (a loop) is in its anchor group twice, as in verl-agent's `build_step_group`;
 * - the discounted return from each step (eq. 5): R_{j,t} = Σ_{k≥t} γ^{k−t} r_{j,k}; with the sparse
 *   success reward that is γ^{T_j−1−t} on a successful episode of length T_j, else 0;
 * - step-level (eq. 7): A^S_{j,t} = (R_{j,t} − mean over the anchor group) / F_norm of the group; a state
 *   no other step passed through (a singleton group) gets 0;
 * - combined (eq. 8): A_{j,t} = A^E_j + ω · A^S_{j,t}.
 *
 * Values, as the GiGPO paper sets them: γ = 0.95 and ω = 1 (its experiments, and verl-agent's scripts:
 * `algorithm.gamma=0.95`, `algorithm.gigpo.step_advantage_w=1.0`). F_norm: the paper reports both
 * F_norm = std ("GiGPO w/ std", GRPO's normaliser) and F_norm = 1 ("w/o std", mean only; verl-agent's
 * `mode=mean_norm`). The default here is std — unbiased, δ = 1e-6, exactly multi-turn GRPO's
 * normaliser, so GiGPO differs from the multi-turn baseline by the step-level term alone (with ω = 0 the
 * two are the same run, tested); `advStd: "none"` gives "w/o std". One difference from verl-agent:
 * its episode-level mean and std are taken over the group's *steps* (each episode's reward repeated
 * per step, `compute_mean_std_cross_steps=True`); here over the group's episodes, as eq. 3 writes it.
 *
 * Everything else — rollouts, the clipped surrogate + β·KL, token-mean, the sampled-action budget
 * (every rollout action) — is multiturn.ts's, shared through `trainOnEpisodeGroups`.
 *
 *   stgrpo train --algo gigpo --task burger --seeds 10000-10089 --init <sft run> --env-steps 200000 --out …
 */
import type { TrainResult } from "./sft";
import { groupAdvantages } from "./grpo";
import { GroupAdvantages, GroupEpisode, MULTITURN_DEFAULTS, MultiTurnConfig, MultiTurnOptions, StartLayout, trainOnEpisodeGroups } from "./multiturn";

export interface GigpoConfig extends MultiTurnConfig {
  /** Discount of the step-level returns (GiGPO: 0.95). */
  gamma: number;
  /** Weight of the step-level advantage (GiGPO: 1). */
  omega: number;
}

export const GIGPO_DEFAULTS: GigpoConfig = { ...MULTITURN_DEFAULTS, gamma: 0.95, omega: 1 };

/** GiGPO's advantages of one group, with their parts (for tests and the metrics). */
export interface GigpoGroupAdvantages extends GroupAdvantages {
  /** A^E_j per episode. */
  episode: number[];
  /** R_{j,t}: the discounted return from each step. */
  returns: number[][];
  /** A^S_{j,t}. */
  step: number[][];
  /** The anchor group of each step: an index into the group's distinct states (first-visit order). */
  anchor: number[][];
}

/** GiGPO's per-step advantages of a group of episodes from one start (this file's comment). */
export function gigpoAdvantages(group: readonly GroupEpisode[], cfg: Pick<GigpoConfig, "gamma" | "omega" | "advEps" | "advStd">): GigpoGroupAdvantages {
  const episode = groupAdvantages(
    group.map((e) => (e.success ? 1 : 0)),
    cfg.advEps,
    cfg.advStd,
  );
  const returns = group.map((e) => e.keys.map((_, t) => (e.success ? Math.pow(cfg.gamma, e.keys.length - 1 - t) : 0)));
  // Anchor groups: every (episode, step) at the same state, in first-visit order.
  const ids = new Map<string, number>();
  const members: [number, number][][] = [];
  const anchor = group.map((e, j) =>
    e.keys.map((key, t) => {
      let id = ids.get(key);
      if (id === undefined) {
        ids.set(key, (id = members.length));
        members.push([]);
      }
      members[id].push([j, t]);
      return id;
    }),
  );
  const step = group.map((e) => e.keys.map(() => 0));
  let anchored = 0,
    signal = 0,
    steps = 0;
  for (const m of members) {
    steps += m.length;
    if (m.length < 2) continue;
    anchored += m.length;
    const adv = groupAdvantages(
      m.map(([j, t]) => returns[j][t]),
      cfg.advEps,
      cfg.advStd,
    );
    m.forEach(([j, t], i) => {
      step[j][t] = adv[i];
      if (adv[i] !== 0) signal++;
    });
  }
  const perStep = group.map((e, j) => e.keys.map((_, t) => episode[j] + cfg.omega * step[j][t]));
  const stats = {
    /** Steps in an anchor group of two or more. */
    anchor_frac: steps ? anchored / steps : 0,
    /** Steps per distinct state. */
    anchor_size: members.length ? steps / members.length : 0,
    /** Steps whose step-level advantage is not 0. */
    step_signal_frac: steps ? signal / steps : 0,
  };
  return { perStep, stats, episode, returns, step, anchor };
}

/** GiGPO from `opts.init` (the SFT policy, also π_ref) on start layouts; the budget in sampled actions (`envSteps`). */
export async function trainGigpo(layouts: StartLayout[], config: Partial<GigpoConfig> = {}, opts: MultiTurnOptions = {}): Promise<TrainResult> {
  const cfg: GigpoConfig = { ...GIGPO_DEFAULTS, ...config };
  return trainOnEpisodeGroups("gigpo", layouts, cfg, opts, (group) => gigpoAdvantages(group, cfg));
}
