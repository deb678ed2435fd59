// (c) Start-up: from spawn to the initialize response, the real gopls directly and through the
// guard, beside the cost of a bare `node -e 0`, alternating, medians.

import { spawnSync } from "node:child_process";
import { BenchClient, median, nowMs } from "./client.js";

/** Spawn → initialize response, in ms; fails loudly on an error reply. */
export async function timeInitialize(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  const t = nowMs();
  const client = new BenchClient(command, args, env, cwd);
  const reply = await client.request("initialize", {
    processId: process.pid,
    rootUri: `file://${cwd}`,
    capabilities: {},
  });
  if (reply.error) throw new Error(JSON.stringify(reply.error));
  const ms = nowMs() - t;
  client.notify("exit", null);
  await client.exited;
  return ms;
}

export async function startup(
  gopls: string,
  guardCmd: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  runs = 15,
): Promise<{ node: number; direct: number; guard: number; added: number }> {
  const node: number[] = [];
  const direct: number[] = [];
  const guard: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = nowMs();
    spawnSync(process.execPath, ["-e", "0"]);
    const n = nowMs() - t;
    const d = await timeInitialize(gopls, [], env, cwd);
    const g = await timeInitialize(
      guardCmd[0] as string,
      guardCmd.slice(1),
      { ...env, GOPLS_GUARD_GOPLS: gopls },
      cwd,
    );
    if (i < 2) continue; // warm the page cache first
    node.push(n);
    direct.push(d);
    guard.push(g);
  }
  const m = { node: median(node), direct: median(direct), guard: median(guard) };
  return { ...m, added: m.guard - m.direct };
}
