// Before a session offers a newer gopls, its file cache is warmed for the session's workspace:
// one warming at a time per install root (a lock of its own beside the install lock), shown by
// `gopls-guard status` while it runs, bounded by the memory watch's soft limit and a time
// limit, and stopped when the session ends. Whatever happens, the offer is made after it.

import path from "node:path";
import { type WarmOutcome, warmCache } from "../gopls/cache-warmer.js";
import { rootPerms } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import { WARM_LOCK_NAME } from "../gopls/layout.js";
import { currentOwner, withInstallLock } from "../gopls/lock.js";
import type { Logger } from "../log.js";
import type { SampleRss } from "./process-memory.js";
import type { SessionFile } from "./session-file.js";

export interface BuildWarming {
  /** The new build, and the environment it will run with. */
  gopls: Located;
  env: NodeJS.ProcessEnv;
  folders: Array<{ uri: string; name: string }>;
  documents: Array<{ uri: string; languageId: string; version: number; text: string }>;
  initializationOptions: unknown;
  /** The editor's answers to workspace/configuration, when it gives them. */
  configuration?: ((params: unknown) => Promise<unknown[]>) | undefined;
  /** Where other users' sessions wait for this one (the install root), else the guard's home. */
  lockRoots: string[];
  maxRss: number;
  timeoutMs: number;
  sampleRss: SampleRss;
  sessionFile: SessionFile;
  logger: Logger;
  signal: AbortSignal;
}

export type Warming =
  | WarmOutcome
  | { warmed: false; why: "off" | "no-workspace"; ms: number; peakRss: number };

/** Warms the build's cache for the workspace; never throws. */
export async function warmBuild(w: BuildWarming): Promise<Warming> {
  const version = w.gopls.version ?? path.basename(path.dirname(w.gopls.path));
  if (w.timeoutMs === 0) return { warmed: false, why: "off", ms: 0, peakRss: 0 };
  if (!w.folders.length) return { warmed: false, why: "no-workspace", ms: 0, peakRss: 0 };
  const started = Date.now();
  const run = async (): Promise<Warming> => {
    if (w.signal.aborted) return { warmed: false, why: "aborted", ms: 0, peakRss: 0 };
    w.sessionFile.update({ warming: { version, since: new Date().toISOString() } });
    w.logger.info({ event: "warm.start", gopls: w.gopls.path }, "warming the new gopls's cache");
    const left = Math.max(1000, w.timeoutMs - (Date.now() - started));
    // warmCache never rejects: an error here is the lock's, and the next root is tried.
    return warmCache({
      gopls: w.gopls.path,
      env: w.env,
      folders: w.folders,
      documents: w.documents,
      initializationOptions: w.initializationOptions,
      ...(w.configuration ? { configuration: w.configuration } : {}),
      timeoutMs: left,
      maxRss: w.maxRss,
      sampleRss: w.sampleRss,
      signal: w.signal,
    });
  };
  let outcome: Warming | undefined;
  for (const root of w.lockRoots) {
    try {
      outcome = await withInstallLock(
        root,
        currentOwner(`warming ${version}`),
        rootPerms(root).file,
        { name: WARM_LOCK_NAME, maxWaitMs: w.timeoutMs },
        run,
      );
      break;
    } catch (error) {
      // A root this user cannot write (a shared install dir): the next one, while time is left
      // (a lock waited for until the time limit is not waited for again elsewhere).
      w.logger.warn({ event: "warm.lock_failed", root, error: String(error) }, "warm lock");
      if (Date.now() - started >= w.timeoutMs) break;
    }
  }
  outcome ??= { warmed: false, why: "timeout", ms: Date.now() - started, peakRss: 0 };
  w.sessionFile.update({ warming: undefined });
  w.logger.info({ event: "warm.done", gopls: w.gopls.path, ...outcome }, "warming done");
  return outcome;
}
