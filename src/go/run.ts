// Runs the go command: explicit argv, an explicit environment, a timeout, and the child
// killed if the guard goes first. Never throws for go's own failures: they come back as data.

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
}

export async function runGo(go: string, args: string[], o: GoRunOptions): Promise<GoRun> {
  const child = execa(go, args, {
    env: o.env,
    extendEnv: false,
    cwd: o.cwd,
    timeout: o.timeoutMs,
    reject: false,
    stdin: "ignore",
    forceKillAfterDelay: 2000,
    cleanup: true,
    stripFinalNewline: false,
  });
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
