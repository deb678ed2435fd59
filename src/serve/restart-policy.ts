// When to restart a crashed gopls: at once the first time, then with growing pauses, and not at
// all after too many crashes too close together (the session goes degraded instead). Pure.

import type { Config } from "../config.js";
import { DEFAULTS } from "../defaults.js";

export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
  backoffMs: readonly number[];
}

/** The pauses before each restart, in units of the configured backoff: at once, then doubling. */
const BACKOFF_STEPS = [0, 1, 2, 4, 8];

/** The policy a session runs with: GOPLS_GUARD_RESTART_BACKOFF_MS sets the unit of its pauses. */
export function restartPolicy(config: Pick<Config, "restartBackoffMs">): RestartPolicy {
  return {
    maxRestarts: 5,
    windowMs: 3 * 60_000,
    backoffMs: BACKOFF_STEPS.map((k) => k * config.restartBackoffMs),
  };
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = restartPolicy(DEFAULTS);

export type RestartDecision =
  | { restart: true; delayMs: number }
  | { restart: false; crashes: number };

/** crashes: the times of earlier crashes; now: this crash. */
export function decideRestart(
  policy: RestartPolicy,
  crashes: readonly number[],
  now: number,
): RestartDecision {
  const recent = crashes.filter((t) => now - t < policy.windowMs).length;
  if (recent >= policy.maxRestarts) return { restart: false, crashes: recent + 1 };
  const delayMs = policy.backoffMs[Math.min(recent, policy.backoffMs.length - 1)] ?? 0;
  return { restart: true, delayMs };
}
