// (c) Start-up: from spawn to the initialize response, the real gopls directly, through a bare
// Node relay and through the guard, beside the cost of a bare `node -e 0`, alternating, medians.

import { spawnSync } from "node:child_process";
import { BenchClient, median, nowMs } from "./client.js";
import { ARMS, type Arm, type ArmCommands } from "./session.js";

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
  arms: ArmCommands,
  cwd: string,
  runs = 15,
): Promise<{ node: number; direct: number; relay: number; guard: number }> {
  const node: number[] = [];
  const times: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  for (let i = 0; i < runs + 2; i++) {
    const t = nowMs();
    spawnSync(process.execPath, ["-e", "0"]);
    const n = nowMs() - t;
    const round: Array<[Arm, number]> = [];
    for (let k = 0; k < ARMS.length; k++) {
      const arm = ARMS[(k + i) % ARMS.length] as Arm;
      const { command, args, env } = arms[arm];
      round.push([arm, await timeInitialize(command, args, env, cwd)]);
    }
    if (i < 2) continue; // warm the page cache first
    node.push(n);
    for (const [arm, ms] of round) times[arm].push(ms);
  }
  return {
    node: median(node),
    direct: median(times.direct),
    relay: median(times.relay),
    guard: median(times.guard),
  };
}
