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
}

/** The lock library's own stale rule, set out of reach: takeOverIfStale decides. */
const LIBRARY_STALE_MS = 24 * 60 * 60 * 1000;

export interface LockOptions {
  /** A lock not refreshed for this long is taken over. */
  staleMs?: number;
  pollMs?: number;
  maxWaitMs?: number;
  onWait?: (owner: LockOwner | undefined) => void;
  onCompromised?: (error: Error) => void;
  /** The holder's process is gone: its lock is being taken over. */
  onTakeOver?: (owner: LockOwner) => void;
  /** Another lock in the same root (the install lock's when not said). */
  name?: string;
}

/**
 * The note lives inside the lock dir, so it is about that very lock: a new lock has none until
 * its holder writes it (an inode number is no such tie: a removed lock's is reused at once).
 */
function ownerFile(root: string, name = LOCK_NAME): string {
  return path.join(root, name, OWNER_NAME);
}

export function readOwner(root: string, name = LOCK_NAME): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(ownerFile(root, name), "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

function writeOwner(root: string, name: string, owner: LockOwner, mode: number): void {
  // The root may be shared with other users: never a predictable name, never through a link.
  // Writing into the lock dir moves its mtime, which the lock library reads as the lock taken
  // from under it: the mtime it set is put back.
  const dir = path.join(root, name);
  const { atime, mtime } = fs.statSync(dir);
  replaceFile(dir, OWNER_NAME, JSON.stringify(owner), mode);
  fs.utimesSync(dir, atime, mtime);
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
 * Whether the lock may be taken over, decided here and not by the lock library's clock (its
 * stale rule is set out of reach): a holder on this host is taken over only once its process is
 * gone (a slow holder that misses a refresh is alive, and keeps its lock); a holder elsewhere (a
 * shared NFS dir), or one whose note cannot be read, once the lock has not been refreshed for
 * staleMs. The note is inside the lock dir (about this very lock), and the lock unchanged around the
 * reading.
 */
function takeOverIfStale(
  root: string,
  name: string,
  staleMs: number,
): { owner: LockOwner | undefined } | undefined {
  const lockPath = path.join(root, name);
  try {
    const before = fs.statSync(lockPath);
    const bound = readOwner(root, name);
    const here = bound && bound.host === os.hostname();
    if (here && alive(bound.pid, bound.start)) return undefined;
    if (!here && Date.now() - before.mtimeMs < staleMs) return undefined;
    const after = fs.statSync(lockPath);
    if (after.mtimeMs !== before.mtimeMs || after.ino !== before.ino) return undefined;
    // Removed by an atomic rename, then checked: only the lock examined is ever taken away. Two
    // waiters taking over at once cannot both win (the lock library's stat → rmdir → mkdir could
    // remove the lock the other had just made); one that moved a newer lock puts it back.
    const trash = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    fs.renameSync(lockPath, trash);
    if (fs.statSync(trash).ino !== before.ino) {
      fs.renameSync(trash, lockPath);
      return undefined;
    }
    try {
      fs.rmSync(trash, { recursive: true, force: true });
    } catch {
      // Another user's lock dir may not be ours to empty: it is out of the way all the same.
    }
    return { owner: bound };
  } catch {
    return undefined;
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
  const name = o.name ?? LOCK_NAME;
  const staleMs = o.staleMs ?? DEFAULTS.lockStaleMs;
  const deadline = Date.now() + (o.maxWaitMs ?? 30 * 60_000);
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    try {
      // Keyed by the lock's own path: the library keeps one record per key and process, and the
      // install lock and the warm lock of one root, held at once, must not share it.
      release = await lockfile.lock(path.join(root, name), {
        lockfilePath: path.join(root, name),
        realpath: false,
        // Never this old: takeOverIfStale removes stale locks itself.
        stale: LIBRARY_STALE_MS,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        onCompromised: (error) => {
          lost.abort(error);
          o.onCompromised?.(error);
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      const taken = takeOverIfStale(root, name, staleMs);
      if (taken) {
        if (taken.owner) o.onTakeOver?.(taken.owner);
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for the lock ${name} in ${root}`);
      if (!told) {
        o.onWait?.(readOwner(root, name));
        told = true;
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
    }
  }
  try {
    writeOwner(root, name, owner, fileMode);
    return await fn(lost.signal);
  } finally {
    // A lost lock is someone else's now: neither its note nor its dir is ours to remove.
    if (!lost.signal.aborted) {
      const dir = path.join(root, name);
      const { atime, mtime } = fs.statSync(dir);
      fs.rmSync(ownerFile(root, name), { force: true });
      fs.utimesSync(dir, atime, mtime);
      await release().catch(() => {});
    }
  }
}
