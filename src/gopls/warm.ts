// The warm path: what a start with nothing changed runs, decided by stats alone (no subprocess),
// from what the last cold start learned (./state.ts). Loaded by the guard's entry (src/start.ts)
// too, so it imports nothing that loads more.

import type { Config } from "../config.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { runtimeEnvFault } from "../go/runtime-env.js";
import { isSelf, locateExplicit, selfPaths } from "./locate.js";
import { safetyRoot, unsafe } from "./probe.js";
import { decisionDue, readState, stateKey, stillValid, type WarmState } from "./state.js";
import { untrustedBuild } from "./trust.js";

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

interface WarmOptions {
  config: Config;
  env: NodeJS.ProcessEnv;
  /**
   * A serving session: a day-old decision for the newest gopls is redone in the background once
   * gopls runs, not before it starts.
   */
  deferDue?: boolean | undefined;
}

/**
 * What a serving session would run without a subprocess, decided by stats alone: the gopls a
 * start spawns before the rest of the guard has loaded (src/start.ts). undefined when a start
 * must decide more than that (the cold path, a finding, a binary that is not safe to run).
 */
export function warmGopls(o: WarmOptions): Located | undefined {
  if (runtimeEnvFault(o.env)) return undefined;
  const self = selfPaths(o.env);
  const explicit = locateExplicit(o.config, o.env, self);
  if (explicit && !explicit.ok) return undefined;
  const warm = warmStart(o, stateKey(o.config, o.env), explicit !== undefined, self);
  const safe = warm && refuseUnsafe(warm.located);
  return safe?.ok ? safe.value : undefined;
}

/** The warm state, when it still holds for these settings and may decide the start alone. */
export function warmStart(
  o: Pick<WarmOptions, "config" | "deferDue">,
  key: string,
  explicit: boolean,
  self: Set<string>,
): { located: Located; goFound: WarmState["goFound"] } | undefined {
  const warm = readState(o.config.home, key);
  // A session redoes a day-old decision for the newest gopls in the background once gopls is
  // up, never on the start path; commands, an explicit binary and a pin decide again here.
  const due = warm !== undefined && decisionDue(warm);
  const deferred = o.deferDue === true && !explicit && o.config.goplsVersion === "latest";
  const background = deferred && o.config.update !== "off";
  if (
    !warm ||
    !stillValid(warm, o.config.goPath) ||
    isSelf(warm.gopls.path, self) ||
    (due && !deferred)
  )
    return undefined;
  return {
    located: {
      path: warm.gopls.path,
      source: explicit ? "GOPLS_GUARD_GOPLS" : "managed",
      version: warm.version,
      warm: true,
      goplsPATH: warm.goplsPATH,
      ...(due && background ? { updateDue: true } : {}),
    },
    goFound: warm.goFound,
  };
}

/** A gopls that anyone could have replaced is never run (checked on every start: a few stats). */
export function refuseUnsafe(located: Located): Result<Located> {
  const managed = located.source === "managed";
  const [problem] = unsafe(located.path, safetyRoot(located.path, managed));
  const untrusted = !problem && managed ? untrustedBuild(located.path) : undefined;
  return problem || untrusted ? fail((problem ?? untrusted) as Finding) : ok(located);
}
