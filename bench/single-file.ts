// The single-file executable (npm run dist, linux-x64) against `node dist/gopls-guard.mjs`:
// spawn → initialize answer with the real gopls, arms alternating, medians; and its size. The
// executable's added start-up must not grow: the difference, round by round, is the figure.

import fs from "node:fs";
import path from "node:path";
import { median } from "./client.js";
import { timeInitialize } from "./startup.js";

export interface SingleFile {
  bytes: number;
  bundle: number;
  executable: number;
  /** Median over rounds of executable − bundle. */
  paired: number;
  runs: number;
}

export async function singleFile(
  exe: string,
  bundleCmd: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  runs = 21,
): Promise<SingleFile> {
  const bundle: number[] = [];
  const executable: number[] = [];
  const paired: number[] = [];
  // One start each first: the guard's home gets its warm state (what a second start reads).
  await timeInitialize(exe, [], env, cwd);
  await timeInitialize(bundleCmd[0] as string, bundleCmd.slice(1), env, cwd);
  for (let r = 0; r < runs; r++) {
    const order = r % 2 ? ["exe", "bundle"] : ["bundle", "exe"];
    const t: Record<string, number> = {};
    for (const arm of order)
      t[arm] =
        arm === "exe"
          ? await timeInitialize(exe, [], env, cwd)
          : await timeInitialize(bundleCmd[0] as string, bundleCmd.slice(1), env, cwd);
    bundle.push(t.bundle as number);
    executable.push(t.exe as number);
    paired.push((t.exe as number) - (t.bundle as number));
  }
  return {
    bytes: fs.statSync(path.resolve(exe)).size,
    bundle: median(bundle),
    executable: median(executable),
    paired: median(paired),
    runs,
  };
}
