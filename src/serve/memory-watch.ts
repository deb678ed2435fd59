// Watching gopls's memory at a low rate (one /proc read every few seconds): above the soft
// limit the session asks the user, once per gopls, whether to restart it; above the hard limit
// it restarts gopls itself, before the kernel's out-of-memory killer picks a victim.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SampleRss } from "./process-memory.js";

export interface MemoryLimits {
  soft: number;
  hard: number;
  everyMs: number;
}

const GIB = 1024 ** 3;

/**
 * The soft limit: GOPLS_GUARD_MEMORY_LIMIT, else a quarter of physical memory (at least 1 GiB:
 * a shared machine has other users' gopls too). The hard limit: twice that, held under 90 % of
 * physical memory but never within a quarter of the soft limit.
 */
export function memoryLimits(soft: number | undefined, everyMs: number, total = os.totalmem()) {
  const s = soft ?? Math.max(GIB, Math.floor(total / 4));
  const hard = Math.max(Math.round(s * 1.25), Math.min(2 * s, Math.floor(total * 0.9)));
  return { soft: s, hard, everyMs };
}

export interface MemoryEvents {
  /** Over the soft limit, for the first time with this gopls. */
  soft: (rss: number) => void;
  /** Over the hard limit: restart it now. */
  hard: (rss: number) => void;
  /** Every sample, for the session's status file. */
  sampled?: (rss: number) => void;
}

export class MemoryWatch {
  private timer: NodeJS.Timeout | undefined;
  private pid: number | undefined;
  private told = false;
  private acted = false;
  /** The latest sample of the gopls watched (bytes), 0 before the first. */
  last = 0;

  constructor(
    readonly limits: MemoryLimits,
    private readonly sample: SampleRss,
    private readonly on: MemoryEvents,
  ) {}

  /** Watches this gopls from now on (a new one after a restart starts afresh). */
  watch(pid: number | undefined): void {
    this.pid = pid;
    this.last = 0;
    this.told = false;
    this.acted = false;
    if (pid !== undefined && !this.timer) {
      this.timer = setInterval(() => void this.tick(), this.limits.everyMs);
      this.timer.unref();
    }
  }

  private async tick(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    const rss = await this.sample(pid);
    if (rss === undefined || pid !== this.pid) return;
    this.last = rss;
    this.on.sampled?.(rss);
    if (rss >= this.limits.hard && !this.acted) {
      this.acted = true;
      this.on.hard(rss);
    } else if (rss >= this.limits.soft && !this.told) {
      this.told = true;
      this.on.soft(rss);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pid = undefined;
  }
}

/**
 * The memory profile gopls writes itself past 1 GB (gopls.PID-NGiB-withnames.zip in its temp
 * dir), the largest one, for the user to attach to a gopls issue.
 */
export function goplsMemoryProfile(
  env: NodeJS.ProcessEnv,
  pid: number | undefined,
): string | undefined {
  if (pid === undefined) return undefined;
  const dir = env.TMPDIR || env.TMP || os.tmpdir();
  try {
    const sizeOf = (n: string) => Number(/-(\d+)GiB-/.exec(n)?.[1] ?? 0);
    const zips = fs
      .readdirSync(dir)
      .filter((n) => n.startsWith(`gopls.${pid}-`) && n.endsWith("-withnames.zip"))
      .sort((a, b) => sizeOf(b) - sizeOf(a));
    return zips[0] && path.join(dir, zips[0]);
  } catch {
    return undefined;
  }
}
