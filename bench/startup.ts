// (c) Start-up: from spawn to the initialize response, the real gopls directly, through a bare
// Node relay and through the guard, beside the cost of a bare `node -e 0`, alternating, medians.
// The VM's speed moves a run's median by ±15 ms, so the guard is also set against the relay
// round by round (the two ran within a second of each other): the median of those differences
// is the steadier figure. And the CPU the process in the middle had spent when the answer came.

import { spawnSync } from "node:child_process";
import { BenchClient, cpuMs, median, nowMs } from "./client.js";
import { ARMS, type Arm, type ArmCommands } from "./session.js";

export interface Startup {
  node: number;
  direct: number;
  relay: number;
  guard: number;
  /** Median over rounds of guard − relay, each round's two starts side by side. */
  pairedGuardOverRelay: number;
  /** CPU (ms, all threads) of the relay and of the guard at the initialize answer, medians. */
  cpu: { relay: number; guard: number };
  runs: number;
}

/** Spawn → initialize response, in ms; fails loudly on an error reply. */
export async function timeInitialize(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<number> {
  return (await measureInitialize(command, args, env, cwd)).ms;
}

/** Spawn → initialize response, in ms, and the CPU the started process had spent by then. */
async function measureInitialize(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ ms: number; cpuMs: number }> {
  const t = nowMs();
  const client = new BenchClient(command, args, env, cwd);
  const reply = await client.request("initialize", {
    processId: process.pid,
    rootUri: `file://${cwd}`,
    capabilities: {},
  });
  if (reply.error) throw new Error(JSON.stringify(reply.error));
  const ms = nowMs() - t;
  const cpu = cpuMs(client.pid);
  client.notify("exit", null);
  await client.exited;
  return { ms, cpuMs: cpu };
}

export async function startup(arms: ArmCommands, cwd: string, runs = 31): Promise<Startup> {
  const node: number[] = [];
  const times: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const cpu: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const paired: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = nowMs();
    spawnSync(process.execPath, ["-e", "0"]);
    const n = nowMs() - t;
    const round = {} as Record<Arm, { ms: number; cpuMs: number }>;
    for (let k = 0; k < ARMS.length; k++) {
      const arm = ARMS[(k + i) % ARMS.length] as Arm;
      const { command, args, env } = arms[arm];
      round[arm] = await measureInitialize(command, args, env, cwd);
    }
    if (i < 2) continue; // warm the page cache first
    node.push(n);
    for (const arm of ARMS) {
      times[arm].push(round[arm].ms);
      cpu[arm].push(round[arm].cpuMs);
    }
    paired.push(round.guard.ms - round.relay.ms);
  }
  return {
    node: median(node),
    direct: median(times.direct),
    relay: median(times.relay),
    guard: median(times.guard),
    pairedGuardOverRelay: median(paired),
    cpu: { relay: median(cpu.relay), guard: median(cpu.guard) },
    runs,
  };
}
