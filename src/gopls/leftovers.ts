// Whether the process that left something behind is still alive, on this host: by pid, and by
// its start time (a pid can be reused), so a SIGKILLed installer's lock and scratch directories
// are reclaimed at once instead of after the stale timeout.

import fs from "node:fs";
import path from "node:path";

/** The process's start time in clock ticks since boot (Linux); undefined elsewhere. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may hold spaces and parentheses: field 22 is starttime.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** false only when the process is certainly gone (or its pid now names another process). */
export function alive(pid: number, start?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, as another user's process.
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  if (start === undefined) return true;
  const now = processStart(pid);
  return now === undefined || now === start;
}

/** The name of a scratch directory that says which process owns it: PREFIX<pid>-. */
export const scratchPrefix = (prefix: string, pid = process.pid) => `${prefix}${pid}-`;

/** Removes this user's directories PREFIX<pid>-* in dir whose process is gone. */
export function removeDead(dir: string, prefix: string): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    const p = path.join(dir, name);
    try {
      if (uid !== undefined && fs.lstatSync(p).uid !== uid) continue;
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      // Someone else cleaned it, or it is not ours to remove.
    }
  }
  return removed;
}
