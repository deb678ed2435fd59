// One install at a time per install root, across processes and users: proper-lockfile's
// mkdir lock, kept fresh by its holder and taken over once stale (a SIGKILLed holder stops
// refreshing it). An owner note says who holds it, for the "waiting for…" message.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { DEFAULTS } from "../defaults.js";
import { replaceFile } from "../shared-file.js";
import { LOCK_NAME, OWNER_NAME } from "./layout.js";
import { alive, processStart } from "./leftovers.js";

export interface LockOwner {
  pid: number;
  /** The holder's process start time (Linux clock ticks), against pid reuse. */
  start?: number;
  user: string;
  host: string;
  version: string;
  since: string;
  /** The inode of the lock dir this note is about: a note left from an earlier lock says nothing of a new one. */
  lock?: number;
}

export interface LockOptions {
  /** A lock not refreshed for this long is taken over. */
  staleMs?: number;
  pollMs?: number;
  maxWaitMs?: number;
  onWait?: (owner: LockOwner | undefined) => void;
  onCompromised?: (error: Error) => void;
  /** The holder's process is gone: its lock is being taken over. */
  onTakeOver?: (owner: LockOwner) => void;
}

export function readOwner(root: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, OWNER_NAME), "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

function writeOwner(root: string, owner: LockOwner, mode: number): void {
  // The root may be shared with other users: never a predictable name, never through a link.
  replaceFile(root, OWNER_NAME, JSON.stringify(owner), mode);
}

export function currentOwner(version: string): LockOwner {
  let user = String(process.getuid?.() ?? "");
  try {
    user = os.userInfo().username;
  } catch {
    // A uid without a passwd entry (containers) keeps the number.
  }
  const start = processStart(process.pid);
  return {
    pid: process.pid,
    ...(start !== undefined ? { start } : {}),
    user,
    host: os.hostname(),
    version,
    since: new Date().toISOString(),
  };
}

/**
 * A holder on this host whose process is gone (SIGKILLed, the machine slept and the editor was
 * killed): its lock is marked stale so that the lock library takes it over now, not after
 * staleMs. Holders on other hosts (a shared NFS home) keep the staleness rule. The lock's mtime
 * is checked unchanged around the note's reading, so a lock just taken by a live process is
 * never marked.
 */
function takeOverIfDead(root: string, lockPath: string): LockOwner | undefined {
  try {
    const before = fs.statSync(lockPath);
    const holder = readOwner(root);
    if (!holder || holder.host !== os.hostname() || alive(holder.pid, holder.start)) return;
    // The note must be about this very lock: a new holder that has not written its own yet
    // still shows the dead one's.
    if (holder.lock !== before.ino) return;
    const after = fs.statSync(lockPath);
    if (after.mtimeMs !== before.mtimeMs || after.ino !== before.ino) return;
    fs.utimesSync(lockPath, 0, 0);
    return holder;
  } catch {
    return;
  }
}

/**
 * Runs fn holding the root's install lock; waits (reporting who holds it) while another does.
 * fn gets a signal that aborts if the lock is lost while it runs (taken over as stale, its dir
 * removed): it must then stop before touching anything more.
 */
export async function withInstallLock<T>(
  root: string,
  owner: LockOwner,
  fileMode: number,
  o: LockOptions,
  fn: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const lost = new AbortController();
  const staleMs = o.staleMs ?? DEFAULTS.lockStaleMs;
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
        onCompromised: (error) => {
          lost.abort(error);
          o.onCompromised?.(error);
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      const dead = takeOverIfDead(root, path.join(root, LOCK_NAME));
      if (dead) {
        o.onTakeOver?.(dead);
        continue;
      }
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
    const lock = fs.statSync(path.join(root, LOCK_NAME)).ino;
    writeOwner(root, { ...owner, lock }, fileMode);
    return await fn(lost.signal);
  } finally {
    // A lost lock is someone else's now: neither its note nor its dir is ours to remove.
    if (!lost.signal.aborted) {
      fs.rmSync(path.join(root, OWNER_NAME), { force: true });
      await release().catch(() => {});
    }
  }
}
