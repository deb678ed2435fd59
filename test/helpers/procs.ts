// Process facts read from /proc: children of a pid, and whether a pid is really alive
// (a zombie is not). Used to prove that no gopls outlives the guard.

import fs from "node:fs";

export function childrenOf(pid: number): number[] {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((tid) =>
      fs
        .readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** The one-letter state in /proc/PID/stat (R, S, T for stopped, Z...), or "" when gone. */
export function stateOf(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return "";
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function waitUntil(
  what: string,
  cond: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  await waitUntil(`pid ${pid} is gone`, () => !alive(pid), timeoutMs);
}

/** The command line of a pid, for telling gopls from other children. */
export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

/** Live processes whose environment mentions this text (a test's private directory, say). */
export function pidsWithEnv(fragment: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        fs.readFileSync(`/proc/${entry}/environ`, "utf8").includes(fragment) &&
        alive(Number(entry))
      )
        out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
