// The one place that decides which gopls binary a session, a passthrough command, `which` or
// `install` runs. The warm path (stat calls only) lives here; the cold path (find Go, decide,
// verify, install) is loaded only when needed, so a warm start loads none of it.

import type { Config } from "../config.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import type { Logger } from "../log.js";
import type { InstallPhase } from "./install.js";
import { isSelf, locateExplicit, selfPaths } from "./locate.js";
import { safetyRoot, unsafe } from "./probe.js";
import { readState, stateKey, stillValid } from "./state.js";

export interface Located {
  path: string;
  source: "GOPLS_GUARD_GOPLS" | "managed";
  version: string | undefined;
  /** Nothing was run to find it (the warm path). */
  warm: boolean;
}

export interface ResolveOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  logFile: string;
  logger: Logger;
  /** false for `which`: report what would run, never build. */
  allowInstall: boolean;
  report: (finding: Finding) => void;
  progress?: (phase: InstallPhase, message: string) => void;
  /** A bound on each go query that may touch the network (the doctor keeps to seconds). */
  goTimeoutMs?: number;
}

export async function resolveGopls(o: ResolveOptions): Promise<Result<Located>> {
  const self = selfPaths(o.env);
  const explicit = locateExplicit(o.config, o.env, self);
  if (explicit && !explicit.ok) return explicit;
  const key = stateKey(o.config, o.env);
  const warm = readState(o.config.home, key);
  if (warm && stillValid(warm, o.config.goPath) && !isSelf(warm.gopls.path, self)) {
    o.logger.debug({ event: "resolve.warm", gopls: warm.gopls.path }, "warm start");
    return refuseUnsafe({
      path: warm.gopls.path,
      source: explicit ? "GOPLS_GUARD_GOPLS" : "managed",
      version: warm.version,
      warm: true,
    });
  }
  const { resolveCold } = await import("./resolve.js");
  const cold = await resolveCold(o, key, explicit?.ok ? explicit.value : undefined);
  return cold.ok ? refuseUnsafe(cold.value) : cold;
}

/** A gopls that anyone could have replaced is never run (checked on every start: a few stats). */
function refuseUnsafe(located: Located): Result<Located> {
  const [problem] = unsafe(located.path, safetyRoot(located.path, located.source === "managed"));
  return problem ? fail(problem) : ok(located);
}
