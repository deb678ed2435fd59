// Runs the go command: explicit argv, an explicit environment, a timeout, and the child
// killed if the guard goes first. Never throws for go's own failures: they come back as data.

import fs from "node:fs";
import os from "node:os";
import { execa } from "execa";

export interface GoRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Spawning failed (ENOENT, EACCES): the message. */
  spawnError: string | undefined;
}

export interface GoRunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  /** Called with each line go writes to stderr (progress). */
  onStderrLine?: (line: string) => void;
  /** A nice value for go and what it starts (a background install: 10). */
  priority?: number;
  /** go is killed when this aborts (an install that lost its lock). */
  signal?: AbortSignal;
}

/** nice(1), which starts go at the priority before anything runs (Unix). */
function niceCommand(): string | undefined {
  if (process.platform === "win32") return undefined;
  return ["/usr/bin/nice", "/bin/nice"].find((p) => fs.existsSync(p));
}

export async function runGo(go: string, args: string[], o: GoRunOptions): Promise<GoRun> {
  const nice = o.priority ? niceCommand() : undefined;
  const [cmd, argv] = nice ? [nice, ["-n", String(o.priority), go, ...args]] : [go, args];
  const child = execa(cmd, argv, {
    env: o.env,
    extendEnv: false,
    cwd: o.cwd,
    timeout: o.timeoutMs,
    reject: false,
    stdin: "ignore",
    forceKillAfterDelay: 2000,
    cleanup: true,
    stripFinalNewline: false,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
  });
  if (o.priority && !nice && child.pid) {
    try {
      // Windows: set as soon as go exists, before it starts its compilers (they inherit it).
      os.setPriority(child.pid, o.priority);
    } catch {
      // Not allowed or not supported: the install runs at normal priority.
    }
  }
  if (o.onStderrLine) {
    let partial = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) o.onStderrLine?.(line);
    });
  }
  const r = await child;
  const spawnError =
    r.exitCode === undefined && !r.timedOut && r.failed
      ? (r.originalMessage ?? r.message)
      : undefined;
  return {
    exitCode: r.exitCode,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
    timedOut: r.timedOut,
    spawnError,
  };
}
