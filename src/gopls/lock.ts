// One install at a time per install root, across processes and users: proper-lockfile's
// mkdir lock, kept fresh by its holder and taken over once stale (a SIGKILLed holder stops
// refreshing it). An owner note says who holds it, for the "waiting for…" message.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { LOCK_NAME, OWNER_NAME } from "./layout.js";

export interface LockOwner {
  pid: number;
  user: string;
  host: string;
  version: string;
  since: string;
}

export interface LockOptions {
  /** A lock not refreshed for this long is taken over. */
  staleMs?: number;
  pollMs?: number;
  maxWaitMs?: number;
  onWait?: (owner: LockOwner | undefined) => void;
  onCompromised?: (error: Error) => void;
}

export function readOwner(root: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, OWNER_NAME), "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

function writeOwner(root: string, owner: LockOwner, mode: number): void {
  const tmp = path.join(root, `${OWNER_NAME}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(owner), { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, path.join(root, OWNER_NAME));
}

export function currentOwner(version: string): LockOwner {
  let user = String(process.getuid?.() ?? "");
  try {
    user = os.userInfo().username;
  } catch {
    // A uid without a passwd entry (containers) keeps the number.
  }
  return { pid: process.pid, user, host: os.hostname(), version, since: new Date().toISOString() };
}

/** Runs fn holding the root's install lock; waits (reporting who holds it) while another does. */
export async function withInstallLock<T>(
  root: string,
  owner: LockOwner,
  fileMode: number,
  o: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const staleMs = o.staleMs ?? 20_000;
  const deadline = Date.now() + (o.maxWaitMs ?? 30 * 60_000);
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    try {
      release = await lockfile.lock(root, {
        lockfilePath: path.join(root, LOCK_NAME),
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        onCompromised: (error) => o.onCompromised?.(error),
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for the install lock in ${root}`);
      if (!told) {
        o.onWait?.(readOwner(root));
        told = true;
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
    }
  }
  try {
    writeOwner(root, owner, fileMode);
    return await fn();
  } finally {
    fs.rmSync(path.join(root, OWNER_NAME), { force: true });
    await release().catch(() => {});
  }
}
