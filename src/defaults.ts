// The default of every tunable the guard has, each defined here once: the config falls back to
// these, and the modules that also run without a config (the lock, the installer) use the same.

export const DEFAULTS = {
  /** Largest LSP message accepted from either side (GOPLS_GUARD_MAX_MESSAGE_BYTES). */
  maxMessageBytes: 256 * 1024 * 1024,
  killGraceMs: 2000,
  parentPollMs: 2000,
  /** An install lock not refreshed for this long belongs to a dead installer. */
  lockStaleMs: 20_000,
  /** A quiet gopls build says how long it has been going this often. */
  progressEveryMs: 10_000,
  /** The pause before the 2nd restart of a crashed gopls; it doubles each time. */
  restartBackoffMs: 1000,
  checksDelayMs: 10_000,
  earlyAnswerMs: 10_000,
  /** How often gopls's resident memory is read. */
  memorySampleMs: 10_000,
  /**
   * After a failed start the guard tries again by itself after this long, doubling up to 5
   * minutes (for clients that cannot show a Retry: coding agents read only diagnostics).
   */
  autoRetryMs: 30_000,
  /** gopls's output stopped this long halfway through a frame is reported. */
  frameStallMs: 30_000,
  /** Warming a new gopls's cache (one workspace load) before a switch is given this long. */
  warmTimeoutMs: 10 * 60_000,
  /** A shared gopls (GOPLS_GUARD_SHARE) exits this long after its last client left. */
  shareIdleMs: 5 * 60_000,
} as const;
