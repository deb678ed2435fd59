// When to restart a crashed gopls: at once the first time, then with growing pauses, and not at
// all after too many crashes too close together (the session goes degraded instead). Pure.

export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
  backoffMs: readonly number[];
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxRestarts: 5,
  windowMs: 3 * 60_000,
  backoffMs: [0, 1000, 2000, 4000, 8000],
};

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
