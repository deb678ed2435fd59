// The gopls a warm start spawns before the rest of the guard has loaded (src/start.ts), held
// until the session starts its gopls: taken if the session would start that very one (same
// binary, arguments and environment), killed otherwise. Never sent anything before it is taken.
// The entry and the proxy are bundled apart (scripts/bundle.mjs), each with its own copy of
// this module: what is held lives on globalThis, where both copies find it.

import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { isDeepStrictEqual } from "node:util";

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

interface Early {
  path: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  child: Child;
  /** When it was spawned (epoch ms), for the log. */
  at: number;
  /** The exit listener that kills it (the spawning copy's discardEarly). */
  discard: () => void;
}

const SLOT = Symbol.for("gopls-guard.early-gopls");
const slot = globalThis as { [SLOT]?: Early | undefined };

const ignore = () => {};

/** Spawns gopls ahead of the session; the process exits with it killed if nobody takes it. */
export function spawnEarly(path: string, args: string[], env: NodeJS.ProcessEnv): void {
  if (slot[SLOT]) return;
  const child = spawn(path, args, { env, stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
  // A spawn error is the session's to report, from a spawn of its own.
  child.on("error", ignore);
  child.stdin.on("error", ignore);
  slot[SLOT] = { path, args, env, child, at: Date.now(), discard: discardEarly };
  process.on("exit", discardEarly);
}

/**
 * The early gopls, if it is what the session would spawn now and is still running (an exit or a
 * spawn error it had meanwhile was not seen by anyone: the session spawns one of its own).
 */
export function takeEarly(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: Child; at: number } | undefined {
  const held = slot[SLOT];
  if (!held) return undefined;
  const { child } = held;
  const same =
    held.path === path &&
    isDeepStrictEqual(held.args, args) &&
    isDeepStrictEqual(held.env, env) &&
    running(child);
  if (!same) {
    discardEarly();
    return undefined;
  }
  slot[SLOT] = undefined;
  process.off("exit", held.discard);
  return { child, at: held.at };
}

/** The session will not start this gopls (another binary, a failed start, the end): it goes. */
export function discardEarly(): void {
  const held = slot[SLOT];
  if (!held) return;
  slot[SLOT] = undefined;
  process.off("exit", held.discard);
  const { child } = held;
  if (running(child)) child.kill("SIGKILL");
  child.stdin.destroy();
  child.stdout.destroy();
  child.stderr.destroy();
}

function running(child: Child): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}
