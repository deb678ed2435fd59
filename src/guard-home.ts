// The guard's home must be writable (logs, warm-start state, scratch, the install lock). One it
// cannot write (chmod 555, a root-owned home left by a `sudo` run) is a finding, never a crash:
// the guard moves what it writes to a per-user place and keeps the installs it can still run.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config, Platform } from "./config.js";
import type { Finding } from "./findings.js";
import { unwritable } from "./gopls/probe.js";

/** What the guard writes under its home; any of them unwritable moves the home. */
const WRITTEN = ["", "logs", "state", "tmp"];

function writable(dir: string): NodeJS.ErrnoException | undefined {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const sub of WRITTEN) {
      const p = path.join(dir, sub);
      if (sub === "" || fs.existsSync(p)) fs.accessSync(p, fs.constants.W_OK);
    }
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/** A directory only this user may use: created 0700, and refused if someone else owns it. */
export function ownPrivateDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0));
  } catch {
    return false;
  }
}

/**
 * The guard's home is its own and private (logs, state, settings it learned): one of yours that
 * others can read or enter is made 0700. Another user's is left as it is.
 */
function keepPrivate(home: string): void {
  try {
    const st = fs.statSync(home);
    if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0)
      fs.chmodSync(home, st.mode & 0o7700);
  } catch {
    // Not ours to change, or not there: nothing to do.
  }
}

/** Per-user places for a home that cannot be used, most durable first. */
export function fallbackHomes(p: Platform): string[] {
  const uid = process.getuid?.() ?? "user";
  const cache =
    p.platform === "win32"
      ? path.win32.join(
          p.env.LOCALAPPDATA ?? path.win32.join(p.homedir, "AppData", "Local"),
          "Temp",
        )
      : p.platform === "darwin"
        ? path.posix.join(p.homedir, "Library", "Caches")
        : p.env.XDG_CACHE_HOME && path.isAbsolute(p.env.XDG_CACHE_HOME)
          ? p.env.XDG_CACHE_HOME
          : path.join(p.homedir, ".cache");
  return [path.join(cache, "gopls-guard"), path.join(os.tmpdir(), `gopls-guard-${uid}`)];
}

/**
 * The config to run with: unchanged when its home is writable (a few access calls); otherwise
 * its home moved to a writable per-user place (installs still looked for where they were) and
 * the finding that says so.
 */
export function usableHome(config: Config, p: Platform): { config: Config; finding?: Finding } {
  const error = writable(config.home);
  if (!error) {
    keepPrivate(config.home);
    return { config };
  }
  const to = fallbackHomes(p).find((d) => d !== config.home && ownPrivateDir(d) && !writable(d));
  const dir = error.path && error.path !== config.home ? error.path : config.home;
  const { evidence } = unwritable(dir, error, p.platform);
  const owner = fs.statSync(dir, { throwIfNoEntry: false })?.uid;
  const foreign = owner !== undefined && owner !== process.getuid?.();
  const fix =
    error.code === "EROFS"
      ? `${dir} is on a read-only file system: set GOPLS_GUARD_HOME to a writable directory.`
      : foreign
        ? `It belongs to another user (a \`sudo\` run of the guard?): \`sudo chown -hR "$(id -un):" ${config.home}\`, or set GOPLS_GUARD_HOME to a directory you own.`
        : `\`chmod -R u+w ${config.home}\`, or set GOPLS_GUARD_HOME to a directory you own.`;
  const finding: Finding = {
    id: foreign ? "fs.foreign_owner" : "fs.install_dir_unwritable",
    severity: "warning",
    message: to
      ? `The guard's home ${config.home} cannot be written; its logs, state and any new gopls install go to ${to} meanwhile.`
      : `The guard's home ${config.home} cannot be written, and no other place could be found; nothing is logged or remembered.`,
    evidence: { home: config.home, ...evidence },
    fix,
  };
  if (!to) return { config, finding };
  return { config: { ...config, home: to, homeFallbackFrom: config.home }, finding };
}
