// The parts of a cold start that a start and a background update share: Go's facts, a scratch
// directory, leftovers of killed installs, where installs go, the builds already there, and
// what is remembered for the next (warm) start.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fail, ok, type Result } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { findGoOnce, goEnvOnce } from "../go/facts.js";
import type { FoundGo } from "../go/find.js";
import { type GoVersion, parseGoVersion } from "../go/goversion.js";
import { goForGoplsFound } from "../go/path-for-gopls.js";
import { loginShellProbe } from "../go/shell.js";
import { INSTALL_SCRATCH, type InstallRequest, installGopls } from "./install.js";
import type { ResolveOptions } from "./launch.js";
import { binaryIn, LOCK_NAME, parseVersionDir, versionDir } from "./layout.js";
import { removeDead, scratchPrefix } from "./leftovers.js";
import { probeWritable } from "./probe.js";
import { fileId, goEnvFileId, writeState } from "./state.js";
import { untrustedBuild } from "./trust.js";
import { verifyGopls } from "./verify.js";
import { releasesNewestFirst } from "./versions.js";

export interface GoFacts {
  go: string;
  found: FoundGo;
  goEnv: GoEnv;
  localGo: GoVersion;
  /** The PATH gopls needs so that its `go` is this one (undefined: the editor's will do). */
  goplsPATH: string | undefined;
}

export async function goFacts(o: ResolveOptions, cwd: string): Promise<Result<GoFacts>> {
  const loginShell = loginShellProbe(o.env.SHELL);
  const found = await findGoOnce({
    explicit: o.config.goPath,
    env: o.env,
    platform: o.platform,
    homedir: o.homedir,
    loginShell,
  });
  if (!found.ok) return found;
  const forGopls = await goForGoplsFound(found.value, o.env, o.platform, loginShell);
  // Said before anything else, so that it comes before whatever gopls or an install says.
  if (forGopls.notice) o.report(forGopls.notice);
  const goplsPATH = forGopls.PATH;
  const goEnv = await goEnvOnce(found.value.path, o.env, cwd);
  if (!goEnv.ok) return goEnv;
  const localGo = parseGoVersion(goEnv.value.GOVERSION);
  if (!localGo) {
    return fail({
      id: "go.missing",
      severity: "error",
      message: "go reports a version the guard cannot read.",
      evidence: { go: found.value.path, GOVERSION: goEnv.value.GOVERSION },
      fix: "Install a released Go from https://go.dev/dl/.",
    });
  }
  return ok({ go: found.value.path, found: found.value, goEnv: goEnv.value, localGo, goplsPATH });
}

export function scratch(o: ResolveOptions): string {
  const dir = path.join(o.config.home, "tmp");
  try {
    fs.mkdirSync(dir, { recursive: true });
    return fs.mkdtempSync(path.join(dir, scratchPrefix(RUN_SCRATCH)));
  } catch {
    // A home nothing can be written to (said once, at start): the system's temp dir will do.
    return fs.mkdtempSync(path.join(os.tmpdir(), scratchPrefix(`gopls-guard-${RUN_SCRATCH}`)));
  }
}

export const RUN_SCRATCH = "run-";

/** What installs killed midway (the editor quit) left behind, whose process is gone. */
export function removeLeftovers(o: ResolveOptions): void {
  const removed = [
    ...removeDead(os.tmpdir(), INSTALL_SCRATCH),
    ...removeDead(os.tmpdir(), `gopls-guard-${RUN_SCRATCH}`),
    ...removeDead(path.join(o.config.home, "tmp"), RUN_SCRATCH),
  ];
  if (removed.length)
    o.logger.info({ event: "install.leftovers", removed }, "removed what killed installs left");
}

export function remember(
  o: ResolveOptions,
  key: string,
  facts: GoFacts,
  version: string,
  gopls: string,
): void {
  const go = fileId(facts.go);
  const bin = fileId(gopls);
  if (!go || !bin) return;
  writeState(o.config.home, key, {
    go,
    goEnv: facts.goEnv,
    goEnvFile: goEnvFileId(facts.goEnv),
    version,
    decidedAt: Date.now(),
    gopls: bin,
    goFound: { path: facts.found.path, source: facts.found.source },
    ...(facts.goplsPATH ? { goplsPATH: facts.goplsPATH } : {}),
  });
}

/** The configured install dir, or the per-user one (with a warning) when it cannot be written. */
export function installRoot(o: ResolveOptions): string {
  const wanted = o.config.installDir;
  const perUser = path.join(o.config.home, "gopls");
  if (wanted === perUser) return wanted;
  const problem = probeWritable(wanted, o.platform);
  if (!problem) return wanted;
  const from = o.config.homeFallbackFrom;
  // Inside a home that cannot be written: already said, with the place installs go instead.
  if (from && !path.relative(from, wanted).startsWith(".."))
    o.logger.info({ event: "install.root", wanted, using: perUser }, "install dir not writable");
  else o.report({ ...problem, message: `${problem.message} Installing into ${perUser} instead.` });
  return perUser;
}

/**
 * Where this user's build of a version goes, given the install root: the per-user dir instead of
 * a shared one when the build there is another user's (not run, nor replaced) or another user
 * holds the lock (not waited for: their build would not be run anyway).
 */
export function ownRoot(o: ResolveOptions, root: string, target: string): string {
  const perUser = path.join(o.config.home, "gopls");
  if (root === perUser) return root;
  const untrusted = untrustedBuild(target);
  if (untrusted) {
    o.report({
      ...untrusted,
      severity: "info",
      message: `${untrusted.message} Your own is used instead, in ${perUser}.`,
    });
    return perUser;
  }
  const lock = fs.statSync(path.join(root, LOCK_NAME), { throwIfNoEntry: false });
  if (lock && lock.uid !== process.getuid?.() && !fs.existsSync(target)) {
    o.logger.info({ event: "install.foreign_lock", root, uid: lock.uid }, "not waiting");
    return perUser;
  }
  return root;
}

export async function newestInstalled(
  o: ResolveOptions,
  root: string,
  facts: GoFacts,
  cwd: string,
  only: string | undefined,
): Promise<{ path: string; version: string } | undefined> {
  // The configured dir too when installs go elsewhere (it cannot be written): its builds still run.
  const byVersion = new Map<string, string>();
  for (const dir of new Set([root, o.config.installDir])) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const parsed = parseVersionDir(name);
      const bin = parsed && binaryIn(versionDir(dir, parsed.version, facts.localGo));
      if (bin && (!only || parsed.version === only) && fs.existsSync(bin) && !untrustedBuild(bin))
        byVersion.set(parsed.version, bin);
    }
  }
  for (const version of releasesNewestFirst([...byVersion.keys()])) {
    const bin = byVersion.get(version) as string;
    const verdict = await verifyGopls(
      facts.go,
      bin,
      {
        version,
        localGo: facts.localGo,
        hostOs: facts.goEnv.GOHOSTOS,
        hostArch: facts.goEnv.GOHOSTARCH,
      },
      o.env,
      cwd,
    );
    if (verdict.ok) return { path: bin, version };
  }
  return undefined;
}

/**
 * `go install` of one gopls version as every caller runs it (a start, a background update, a
 * build for a newer Go): leftovers of killed installs removed first, then the install under the
 * lock, with the resolve options' reporting, progress and settings.
 */
export function installVersion(
  o: ResolveOptions,
  facts: GoFacts,
  version: string,
  extra: Partial<InstallRequest> = {},
) {
  removeLeftovers(o);
  return installGopls({
    go: facts.go,
    goEnv: facts.goEnv,
    localGo: facts.localGo,
    version,
    root: extra.root ?? installRoot(o),
    user: o.env,
    logFile: o.logFile,
    onProgress: (phase, message) => o.progress?.(phase, message),
    onGoOutput: (line) => o.logger.info({ event: "go.output", line }, "go"),
    onFinding: (finding) => o.report(finding),
    lockStaleMs: o.config.lockStaleMs,
    progressEveryMs: o.config.progressEveryMs,
    ...extra,
  });
}
