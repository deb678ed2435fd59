// The one place that decides which gopls binary a session, a passthrough command, `which` or
// `install` runs. The warm path (stat calls only) is in ./warm.ts; the cold path (find Go,
// decide, verify, install) is loaded only when needed, so a warm start loads none of it.

import os from "node:os";
import type { Config } from "../config.js";
import { envValue } from "../env-lookup.js";
import { type Finding, fail, type Result } from "../findings.js";
import { goForGopls } from "../go/path-for-gopls.js";
import { runtimeEnvFault } from "../go/runtime-env.js";
import type { Logger } from "../log.js";
import type { InstallPhase } from "./install.js";
import { locateExplicit, selfPaths } from "./locate.js";
import { stateKey } from "./state.js";
import { type Located, refuseUnsafe, warmStart } from "./warm.js";

export type { Located } from "./warm.js";

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
  // A gopls that would die at start for it is never started.
  const runtime = runtimeEnvFault(o.env);
  if (runtime) return fail(runtime);
  const self = selfPaths(o.env);
  const explicit = locateExplicit(o.config, o.env, self);
  if (explicit && !explicit.ok) return explicit;
  const key = stateKey(o.config, o.env);
  const warm = warmStart(o, key, explicit?.ok === true, self);
  if (warm) {
    o.logger.debug({ event: "resolve.warm", gopls: warm.located.path }, "warm start");
    const placement =
      warm.goFound &&
      goForGopls(warm.goFound, envValue(o.env, "PATH", o.platform), o.platform).notice;
    if (placement) o.report(placement);
    return refuseUnsafe(warm.located);
  }
  const { resolveCold } = await import("./resolve.js");
  const cold = await resolveCold(o, key, explicit?.ok ? explicit.value : undefined);
  return cold.ok ? refuseUnsafe(cold.value) : cold;
}
