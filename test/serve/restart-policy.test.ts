import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import {
  DEFAULT_RESTART_POLICY,
  decideRestart,
  restartPolicy,
} from "../../src/serve/restart-policy.js";

test("restarts: at once, then 1 s, 2 s, 4 s, 8 s; the 6th crash within 3 minutes is not restarted", () => {
  const crashes: number[] = [];
  const delays: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    const now = 1_000_000 + i * 10_000;
    delays.push(decideRestart(DEFAULT_RESTART_POLICY, crashes, now));
    crashes.push(now);
  }
  assert.deepEqual(delays, [
    { restart: true, delayMs: 0 },
    { restart: true, delayMs: 1000 },
    { restart: true, delayMs: 2000 },
    { restart: true, delayMs: 4000 },
    { restart: true, delayMs: 8000 },
    { restart: false, crashes: 6 },
  ]);
});

test("crashes older than the window no longer count", () => {
  const old = [0, 1, 2, 3, 4];
  assert.deepEqual(decideRestart(DEFAULT_RESTART_POLICY, old, 3 * 60_000 + 5), {
    restart: true,
    delayMs: 0,
  });
});

test("GOPLS_GUARD_RESTART_BACKOFF_MS sets the unit of the pauses; its default gives the default policy", () => {
  assert.deepEqual(restartPolicy({ restartBackoffMs: 50 }).backoffMs, [0, 50, 100, 200, 400]);
  const { config } = loadConfig({ env: {}, platform: "linux", homedir: "/home/u" });
  assert.deepEqual(restartPolicy(config), DEFAULT_RESTART_POLICY);
  assert.equal(config.maxMessageBytes, 256 * 1024 * 1024);
});
