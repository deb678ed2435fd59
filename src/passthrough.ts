// Any gopls command line that is not serve-over-stdio (version, check, help, -listen=...):
// run gopls with the same argv and stdio, forward signals, and exit as it did.

import { spawn } from "node:child_process";
import type { Config } from "./config.js";
import { withEnv } from "./env-lookup.js";
import { goplsEnv } from "./gopls/locate.js";
import { openLog } from "./log.js";
import { resolveAtTerminal } from "./report/terminal.js";

export async function passthrough(config: Config, args: string[]): Promise<number> {
  const log = openLog(config, "gopls-guard passthrough");
  await log.load();
  // gopls's own output is what the caller reads (VS Code parses `version -json`): info stays in the log.
  const resolved = await resolveAtTerminal(config, true, log, false);
  if (!resolved.ok) return 1;
  const { goplsPATH } = resolved.value;
  const child = spawn(resolved.value.path, args, {
    stdio: "inherit",
    env: goplsEnv(goplsPATH ? withEnv(process.env, "PATH", goplsPATH) : process.env),
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, forward);
  process.on("exit", () => child.exitCode === null && child.kill("SIGKILL"));
  return new Promise((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`gopls-guard: cannot run ${resolved.value.path}: ${error.message}\n`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const n = (
    { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>
  )[signal];
  return n ?? 1;
}
