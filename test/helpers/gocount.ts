// A `go` that logs each invocation before running the real one: how tests count `go install`
// runs and prove a warm start ran no subprocess.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const REAL_GO = execFileSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).trim();

export interface CountingGo {
  path: string;
  log: string;
  calls(): string[];
  installs(): number;
}

/** delayInstallS: the shim sleeps this long before `go install` (to kill an installer midway). */
export function countingGo(dir: string, delayInstallS = 0): CountingGo {
  const shim = path.join(dir, "go");
  const log = path.join(dir, "go-calls.log");
  fs.writeFileSync(
    shim,
    `#!/bin/sh\necho "$*" >> "${log}"\nif [ "$1" = install ] && [ ${delayInstallS} -gt 0 ]; then sleep ${delayInstallS}; fi\nexec "${REAL_GO}" "$@"\n`,
    { mode: 0o755 },
  );
  const calls = () =>
    fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  return {
    path: shim,
    log,
    calls,
    installs: () => calls().filter((c) => c.startsWith("install ")).length,
  };
}
