// The one place that decides which gopls binary a session, a passthrough command, `which` or
// `install` runs. The warm path (stat calls only) lives here; the cold path (find Go, decide,
// verify, install) is loaded only when needed, so a warm start loads none of it.

import os from "node:os";
import type { Config } from "../config.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { goForGopls } from "../go/path-for-gopls.js";
import type { Logger } from "../log.js";
import type { InstallPhase } from "./install.js";
import { isSelf, locateExplicit, selfPaths } from "./locate.js";
import { safetyRoot, unsafe } from "./probe.js";
import { decisionDue, readState, stateKey, stillValid } from "./state.js";

export interface Located {
  path: string;
  source: "GOPLS_GUARD_GOPLS" | "managed";
  version: string | undefined;
  /** Nothing was run to find it (the warm path). */
  warm: boolean;
  /** The PATH gopls must run with so that its `go` is the guard's (undefined: the editor's). */
  goplsPATH?: string | undefined;
  /** The version decision is due: a session checks for a newer gopls once it runs this one. */
  updateDue?: boolean;
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
  /**
   * A serving session: a day-old decision for the newest gopls is redone in the background once
   * gopls runs, not before it starts. Commands (install, which, version) decide again at once.
   */
  deferDue?: boolean;
}

/**
 * The options every caller builds the same way: the config, the log, and this process's
 * environment, platform and home unless the caller has its own (the doctor's seams, a session's
 * consented settings); what differs is whether to install and where findings and progress go.
 */
export function resolveOptions(
  config: Config,
  log: { file: string; logger: Logger },
  o: Pick<ResolveOptions, "allowInstall" | "report"> &
    Partial<
      Pick<ResolveOptions, "env" | "platform" | "homedir" | "progress" | "goTimeoutMs" | "deferDue">
    >,
): ResolveOptions {
  return {
    config,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    logFile: log.file,
    logger: log.logger,
    ...o,
  };
}

export async function resolveGopls(o: ResolveOptions): Promise<Result<Located>> {
  const self = selfPaths(o.env);
  const explicit = locateExplicit(o.config, o.env, self);
  if (explicit && !explicit.ok) return explicit;
  const key = stateKey(o.config, o.env);
  const warm = readState(o.config.home, key);
  // A session redoes a day-old decision for the newest gopls in the background once gopls is
  // up, never on the start path; commands, an explicit binary and a pin decide again here.
  const due = warm !== undefined && decisionDue(warm);
  const deferred = o.deferDue === true && !explicit && o.config.goplsVersion === "latest";
  const background = deferred && o.config.update !== "off";
  if (
    warm &&
    stillValid(warm, o.config.goPath) &&
    !isSelf(warm.gopls.path, self) &&
    (!due || deferred)
  ) {
    o.logger.debug({ event: "resolve.warm", gopls: warm.gopls.path }, "warm start");
    const placement = warm.goFound && goForGopls(warm.goFound, o.env.PATH, o.platform).notice;
    if (placement) o.report(placement);
    return refuseUnsafe({
      path: warm.gopls.path,
      source: explicit ? "GOPLS_GUARD_GOPLS" : "managed",
      version: warm.version,
      warm: true,
      goplsPATH: warm.goplsPATH,
      ...(due && background ? { updateDue: true } : {}),
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
