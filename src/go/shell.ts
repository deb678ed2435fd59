// Asks the user's login shell for its environment, the way a terminal would see it: once,
// bounded, with nothing the shell's start-up files print mistaken for the answer.

import { execa } from "execa";

const MARK = "__gopls_guard_env__";

export interface ShellEnv {
  shell: string;
  env: Record<string, string>;
}

export type LoginShellProbe = () => Promise<ShellEnv | undefined>;

export function loginShellProbe(shell: string | undefined, timeoutMs = 3000): LoginShellProbe {
  let cached: Promise<ShellEnv | undefined> | undefined;
  return () => {
    cached ??= probe(shell, timeoutMs);
    return cached;
  };
}

async function probe(shell: string | undefined, timeoutMs: number): Promise<ShellEnv | undefined> {
  if (!shell || process.platform === "win32") return undefined;
  try {
    const r = await execa(shell, ["-l", "-c", `printf '%s' '${MARK}'; command env -0`], {
      timeout: timeoutMs,
      stdin: "ignore",
      reject: false,
      encoding: "buffer",
      forceKillAfterDelay: 500,
      env: { ...process.env, TERM: "dumb" },
    });
    const out = Buffer.from(r.stdout as Uint8Array).toString("utf8");
    const at = out.lastIndexOf(MARK);
    if (r.exitCode !== 0 || at < 0) return undefined;
    const env: Record<string, string> = {};
    for (const entry of out.slice(at + MARK.length).split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { shell, env };
  } catch {
    return undefined;
  }
}
