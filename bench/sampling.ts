// The memory watch's cost: reading gopls's resident memory the way a session does, timed over
// many samples (wall and CPU), and what that is at the default rate (one every 10 s).

import { spawn } from "node:child_process";
import { DEFAULTS } from "../src/defaults.js";
import { rssSampler } from "../src/serve/process-memory.js";

export interface SamplingResult {
  samples: number;
  wallUsPerSample: number;
  cpuUsPerSample: number;
  /** CPU share of one core at the default rate, in percent. */
  cpuPercentAtDefaultRate: number;
}

export async function sampling(gopls: string, samples = 2000): Promise<SamplingResult> {
  const child = spawn(gopls, ["serve"], { stdio: ["pipe", "ignore", "ignore"] });
  try {
    const sample = rssSampler();
    const pid = child.pid as number;
    for (let i = 0; i < 50; i++) await sample(pid);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < samples; i++) await sample(pid);
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / samples;
    const used = process.cpuUsage(cpu0);
    const cpuUs = (used.user + used.system) / samples;
    return {
      samples,
      wallUsPerSample: wallUs,
      cpuUsPerSample: cpuUs,
      cpuPercentAtDefaultRate: (cpuUs / (DEFAULTS.memorySampleMs * 1000)) * 100,
    };
  } finally {
    child.kill("SIGKILL");
  }
}
