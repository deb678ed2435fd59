// Installs one gopls version into its managed directory: under the root's lock, re-checked
// once the lock is held, built by `go install` into a staging directory on the same file
// system, verified, then renamed into place. The final path only ever holds a verified binary.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS } from "../defaults.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { cacheFix } from "../go/cache-fix.js";
import type { GoEnv } from "../go/env.js";
import { installEnv } from "../go/environment.js";
import type { GoVersion } from "../go/goversion.js";
import { runGo } from "../go/run.js";
import { escapeControls } from "../safe-text.js";
import { classifyRun } from "./classify.js";
import { binaryIn, GOPLS_MODULE, STAGE_PREFIX, TRASH_PREFIX, versionDir } from "./layout.js";
import { removeDead, scratchPrefix } from "./leftovers.js";
import { currentOwner, type LockOwner, withInstallLock } from "./lock.js";
import { probeWritable } from "./probe.js";
import { writeToolchain } from "./toolchain-file.js";
import { verifyGopls } from "./verify.js";

/** The system temp dir's scratch directories of installs: gopls-guard-install-<pid>-*. */
export const INSTALL_SCRATCH = "gopls-guard-install-";

export type InstallPhase = "waiting" | "downloading" | "building" | "verifying" | "done";

export interface InstallRequest {
  go: string;
  goEnv: GoEnv;
  localGo: GoVersion;
  version: string;
  root: string;
  user: NodeJS.ProcessEnv;
  logFile: string;
  onProgress?: (phase: InstallPhase, message: string) => void;
  /** Every line go prints, for the log. */
  onGoOutput?: (line: string) => void;
  /** Told what is worth saying: the cleaned environment's overrides, a foreign file replaced. */
  onFinding?: (finding: Finding) => void;
  lockStaleMs?: number;
  /** How often a quiet build says how long it has been going. */
  progressEveryMs?: number;
  /** A background install: go runs at low priority (nice 10). */
  lowPriority?: boolean;
  /** Build with this Go (GOTOOLCHAIN=go1.27.3): the go command fetches it through the proxy. */
  toolchain?: string;
}

export interface Installed {
  path: string;
  /** Whether this call ran `go install` (false: it was there, or another process built it). */
  built: boolean;
}

interface Perms {
  dir: number;
  file: number;
}

/** A root whose group can write keeps that: setgid dirs and group-writable notes, whatever the umask. */
export function rootPerms(root: string): Perms {
  const st = fs.statSync(root);
  const shared = (st.mode & 0o020) !== 0;
  return shared ? { dir: 0o2775, file: 0o664 } : { dir: 0o755, file: 0o644 };
}

async function alreadyThere(
  req: InstallRequest,
  cwd: string,
  report = false,
): Promise<string | undefined> {
  const bin = binaryIn(versionDir(req.root, req.version, req.localGo));
  if (!fs.existsSync(bin)) return undefined;
  const verdict = await verifyGopls(req.go, bin, want(req), req.user, cwd);
  if (verdict.ok) return bin;
  if (report)
    req.onFinding?.({
      ...verdict.finding,
      message: `${verdict.finding.message} It is being replaced.`,
    });
  return undefined;
}

function want(req: InstallRequest) {
  return {
    version: req.version,
    localGo: req.localGo,
    hostOs: req.goEnv.GOHOSTOS,
    hostArch: req.goEnv.GOHOSTARCH,
  };
}

/**
 * fs.cache_unwritable: a GOCACHE or GOMODCACHE go cannot write (read-only mount, wrong owner, a
 * security module) would fail the build. For this install only, go gets a private one in the
 * scratch directory; the user's settings stay as they are, and they are told.
 */
function privateCaches(req: InstallRequest, env: NodeJS.ProcessEnv, scratch: string): void {
  for (const name of ["GOCACHE", "GOMODCACHE"] as const) {
    const dir = req.goEnv[name];
    if (!dir || dir === "off") continue;
    const problem = probeWritable(dir);
    if (!problem) continue;
    const substitute = path.join(scratch, name.toLowerCase());
    env[name] = substitute;
    if (name === "GOMODCACHE") env.GOFLAGS = `${env.GOFLAGS ?? ""} -modcacherw`.trim();
    req.onFinding?.({
      id: "fs.cache_unwritable",
      severity: "warning",
      message: `${name} (${dir}) cannot be written, so this gopls build uses a private ${name}; your setting is unchanged.`,
      evidence: { ...problem.evidence, [name]: dir },
      fix: cacheFix(name, dir, os.homedir()),
    });
  }
}

/**
 * Leftovers of installs that were killed midway: only those whose process is gone, so that even
 * a second holder (a lock judged stale wrongly) never loses its staging dir mid-build.
 */
function cleanLeftovers(root: string): void {
  removeDead(root, STAGE_PREFIX);
  removeDead(root, TRASH_PREFIX);
}

export async function installGopls(req: InstallRequest): Promise<Result<Installed>> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), scratchPrefix(INSTALL_SCRATCH)));
  try {
    const ready = await alreadyThere(req, cwd);
    if (ready) return ok({ path: ready, built: false });
    fs.mkdirSync(req.root, { recursive: true });
    const perms = rootPerms(req.root);
    const owner: LockOwner = currentOwner(req.version);
    return await withInstallLock(
      req.root,
      owner,
      perms.file,
      {
        ...(req.lockStaleMs !== undefined ? { staleMs: req.lockStaleMs } : {}),
        onWait: (holder) =>
          req.onProgress?.(
            "waiting",
            // The note is a file another user may have written: its words are escaped.
            holder
              ? escapeControls(
                  `waiting for another install of gopls ${String(holder.version)}, started by pid ${String(holder.pid)} (${String(holder.user)}@${String(holder.host)})`,
                )
              : "waiting for another install of gopls",
          ),
        onTakeOver: (dead) =>
          req.onProgress?.(
            "waiting",
            `taking over the install lock from pid ${dead.pid}, which is gone (an install killed midway)`,
          ),
      },
      (lost) => installLocked(req, perms, cwd, lost),
    );
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

async function installLocked(
  req: InstallRequest,
  perms: Perms,
  cwd: string,
  lost: AbortSignal,
): Promise<Result<Installed>> {
  const lockLost = (): Result<Installed> =>
    fail({
      id: "install.concurrent",
      severity: "error",
      message: "The install lost its lock to another install midway and stopped: retry.",
      evidence: { "install dir": req.root, why: String(lost.reason ?? "lock compromised") },
      fix: "Retry; if it happens again, another guard on a machine that shares this directory judges the lock stale: raise GOPLS_GUARD_LOCK_STALE_MS.",
    });
  // Someone may have finished while we waited.
  const ready = await alreadyThere(req, cwd, true);
  if (ready) return ok({ path: ready, built: false });
  cleanLeftovers(req.root);
  const stage = fs.mkdtempSync(path.join(req.root, `${STAGE_PREFIX}${process.pid}-`));
  try {
    // Never group-writable, even in a group-writable root: a member could swap the binary.
    fs.chmodSync(stage, 0o755);
    const { env, overrides } = installEnv(req.user, req.goEnv, stage);
    if (req.toolchain) env.GOTOOLCHAIN = req.toolchain;
    if (overrides.length) {
      req.onFinding?.({
        id: "install.env_interference",
        severity: "info",
        message:
          "gopls is installed with a cleaned Go environment (these settings would break `go install pkg@version`); your settings are unchanged.",
        evidence: { overridden: overrides.join(", ") },
        fix: "Nothing to do for the guard; for your own installs, run them outside a module with GO111MODULE=on.",
      });
    }
    privateCaches(req, env, cwd);
    const args = ["install", `${GOPLS_MODULE}@${req.version}`];
    req.onProgress?.("downloading", `installing gopls ${req.version} with ${req.goEnv.GOVERSION}`);
    // go says nothing while it compiles (minutes, cold): once its output has stopped for a
    // second, a building line with the time so far (its last download line would stand there,
    // stale, for minutes), then again every progressEveryMs until the binary is verified.
    const started = Date.now();
    let quietSince = started;
    let lastBuilding = 0;
    const every = req.progressEveryMs ?? DEFAULTS.progressEveryMs;
    const quiet = Math.min(1000, every / 2);
    const ticker = setInterval(
      () => {
        const now = Date.now();
        if (now - quietSince < quiet || now - lastBuilding < every) return;
        lastBuilding = now;
        const seconds = Math.round((now - started) / 1000);
        req.onProgress?.("building", `building gopls ${req.version}: ${seconds} s so far`);
      },
      Math.min(quiet / 2, every),
    );
    const r = await runGo(req.go, args, {
      env,
      cwd,
      signal: lost,
      timeoutMs: 30 * 60_000,
      ...(req.lowPriority ? { priority: 10 } : {}),
      onStderrLine: (line) => {
        req.onGoOutput?.(line);
        quietSince = Date.now();
        if (line.startsWith("go: downloading")) {
          lastBuilding = 0;
          req.onProgress?.("downloading", line.slice(4));
        }
      },
    }).finally(() => clearInterval(ticker));
    const staged = binaryIn(stage);
    if (lost.aborted) return lockLost();
    if (r.exitCode !== 0 || !fs.existsSync(staged)) {
      return fail(classifyRun(args, r, req.logFile, req.goEnv, req.user));
    }
    req.onProgress?.("verifying", `verifying gopls ${req.version}`);
    const verdict = await verifyGopls(req.go, staged, want(req), req.user, cwd);
    if (!verdict.ok)
      return fail({
        ...verdict.finding,
        id: "install.failed",
        severity: "error",
        message: `The freshly built gopls failed verification: ${verdict.finding.message}`,
      });
    fs.chmodSync(staged, 0o755);
    // Built with a newer Go than the local one: gopls's own go commands need that Go too.
    if (req.toolchain) writeToolchain(stage, verdict.value.goVersion);
    const final = versionDir(req.root, req.version, req.localGo);
    if (lost.aborted) return lockLost();
    const trash = path.join(req.root, `${TRASH_PREFIX}${process.pid}-${Date.now()}`);
    // An unverifiable leftover (truncated, foreign, wrong version): out of the way first.
    if (fs.existsSync(final)) fs.renameSync(final, trash);
    fs.renameSync(stage, final);
    fs.rmSync(trash, { recursive: true, force: true });
    cleanLeftovers(req.root);
    req.onProgress?.("done", `gopls ${req.version} installed`);
    return ok({ path: binaryIn(final), built: true });
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
