// Which gopls version to run: a pin, or "latest" = the newest release whose go.mod `go`
// directive the local Go satisfies. The go command itself is asked, so the user's GOPROXY,
// GONOPROXY, GOAUTH/.netrc, HTTPS_PROXY and certificates all apply.

import fs from "node:fs";
import semver from "semver";
import { type Finding, fail, ok, type Result } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { queryEnv } from "../go/environment.js";
import { formatGo, type GoVersion, parseGoVersion, satisfies } from "../go/goversion.js";
import { runGo } from "../go/run.js";
import { classifyRun } from "./classify.js";
import { GOPLS_MODULE } from "./layout.js";

export type VersionPolicy = { kind: "latest" } | { kind: "pin"; version: string };

export function parsePolicy(raw: string | undefined): VersionPolicy | undefined {
  const text = (raw ?? "latest").trim();
  if (text === "" || text === "latest") return { kind: "latest" };
  const v = text.startsWith("v") ? text : `v${text}`;
  return semver.valid(v.slice(1)) ? { kind: "pin", version: v } : undefined;
}

/** Release versions (no pre-releases), newest first. */
export function releasesNewestFirst(versions: readonly string[]): string[] {
  return versions
    .filter(
      (v) =>
        v.startsWith("v") && semver.valid(v.slice(1)) && semver.prerelease(v.slice(1)) === null,
    )
    .sort((a, b) => semver.rcompare(a.slice(1), b.slice(1)));
}

export interface Decision {
  version: string;
  /** The Go the chosen gopls needs (its go.mod `go` line), when it says. */
  goRequired: string | undefined;
  /** Said to the user: a newer gopls was skipped because this Go is too old. */
  note: Finding | undefined;
}

export interface DecideContext {
  go: string;
  goEnv: GoEnv;
  localGo: GoVersion;
  user: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
  /** How many releases to look at, newest first, before giving up. */
  maxCandidates?: number;
  /** The bound on each go list (default 60 s). */
  timeoutMs?: number;
}

interface ModuleInfo {
  Version?: string;
  GoVersion?: string;
  GoMod?: string;
  Versions?: string[];
}

/** The `go` line of a go.mod file. */
export function goDirective(gomod: string): string | undefined {
  return /^go\s+(\S+)\s*(?:\/\/.*)?$/m.exec(gomod)?.[1];
}

/**
 * The Go a module version needs. `go list -m -json` leaves GoVersion out when the go.mod came
 * from the module cache without a checksum in hand, so read the cached go.mod itself then.
 */
function requiredGo(info: ModuleInfo): string | undefined {
  if (info.GoVersion) return info.GoVersion;
  if (!info.GoMod) return undefined;
  try {
    return goDirective(fs.readFileSync(info.GoMod, "utf8"));
  } catch {
    return undefined;
  }
}

async function listModule(
  ctx: DecideContext,
  query: string,
  versions: boolean,
): Promise<Result<ModuleInfo>> {
  const args = [
    "list",
    "-m",
    "-json",
    ...(versions ? ["-versions"] : []),
    `${GOPLS_MODULE}@${query}`,
  ];
  const r = await runGo(ctx.go, args, {
    env: queryEnv(ctx.user, ctx.goEnv),
    cwd: ctx.cwd,
    timeoutMs: ctx.timeoutMs ?? 60_000,
  });
  if (r.exitCode === 0) {
    try {
      return ok(JSON.parse(r.stdout) as ModuleInfo);
    } catch {
      // fall through to the failure below
    }
  }
  return fail(classifyRun(args, r, ctx.logFile, ctx.goEnv, ctx.user));
}

function tooOld(ctx: DecideContext, version: string, needs: string): Finding {
  return {
    id: "go.too_old",
    severity: "error",
    message: `gopls ${version} needs Go ${needs}; the local Go is ${formatGo(ctx.localGo)}.`,
    evidence: {
      go: ctx.go,
      GOVERSION: ctx.goEnv.GOVERSION,
      [`gopls ${version} needs`]: `go ${needs}`,
    },
    fix: "Upgrade Go (https://go.dev/dl/), or pin an older gopls with GOPLS_GUARD_GOPLS_VERSION.",
  };
}

export async function decideVersion(
  policy: VersionPolicy,
  ctx: DecideContext,
): Promise<Result<Decision>> {
  if (policy.kind === "pin") {
    const info = await listModule(ctx, policy.version, false);
    if (!info.ok) return info;
    const needs = requiredGo(info.value);
    const required = needs ? parseGoVersion(needs) : undefined;
    if (required && !satisfies(ctx.localGo, required))
      return fail(tooOld(ctx, policy.version, needs as string));
    return ok({
      version: info.value.Version ?? policy.version,
      goRequired: needs,
      note: undefined,
    });
  }
  const listed = await listModule(ctx, "latest", true);
  if (!listed.ok) return listed;
  const candidates = releasesNewestFirst(listed.value.Versions ?? []).slice(
    0,
    ctx.maxCandidates ?? 12,
  );
  let skipped: { version: string; needs: string } | undefined;
  for (const version of candidates) {
    const info = await listModule(ctx, version, false);
    if (!info.ok) return info;
    const needs = requiredGo(info.value);
    const required = needs ? parseGoVersion(needs) : undefined;
    // A release whose Go requirement cannot be read is not chosen: better an older gopls that
    // builds than a newer one that asks for a toolchain download.
    if (required && satisfies(ctx.localGo, required)) {
      const note: Finding | undefined = skipped && {
        id: "go.too_old",
        severity: "info",
        message: `Go ${formatGo(ctx.localGo)} is older than gopls ${skipped.version} needs (go ${skipped.needs}); using gopls ${version}, the newest that supports it.`,
        evidence: { go: ctx.go, newest: skipped.version, chosen: version },
        fix: `Upgrade Go to ${skipped.needs} or later to get gopls ${skipped.version}.`,
      };
      return ok({ version, goRequired: needs, note });
    }
    skipped ??= { version, needs: needs as string };
  }
  const newest = candidates[0];
  if (newest && skipped)
    return fail(
      tooOld(ctx, `${newest} (and the ${candidates.length} releases before it)`, skipped.needs),
    );
  return fail({
    id: "install.failed",
    severity: "error",
    message: "The module proxy lists no gopls release.",
    evidence: { GOPROXY: ctx.goEnv.GOPROXY },
    fix: "Check GOPROXY; `gopls-guard doctor` probes it.",
  });
}
