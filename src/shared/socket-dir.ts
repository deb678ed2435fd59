// Where the shared gopls instances listen: one directory per user that only the user can open
// (0700, the user's own, not a link), so no other user can connect to, replace or squat a
// socket. The directory is checked before every use, never trusted because it exists.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding, Result } from "../findings.js";
import { fail, ok } from "../findings.js";

/** A Unix socket's path must fit sun_path (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 100;

export interface ShareDirOptions {
  /** GOPLS_GUARD_SHARE_DIR, if set. */
  configured: string | undefined;
  env: NodeJS.ProcessEnv;
  uid: number;
}

/** The candidates, most private first: the configured one, XDG_RUNTIME_DIR's, the temp dir's. */
export function shareDirCandidates(o: ShareDirOptions): string[] {
  if (o.configured) return [o.configured];
  const runtime = o.env.XDG_RUNTIME_DIR;
  const out: string[] = [];
  if (runtime && path.isAbsolute(runtime)) out.push(path.join(runtime, "gopls-guard"));
  out.push(path.join(os.tmpdir(), `gopls-guard-${o.uid}`));
  return out;
}

/**
 * The user's share dir, made if missing (0700), then checked: a directory (not a link) that is
 * the user's own and that nobody else can enter. Anything else is refused, never repaired: a
 * directory someone else made there is theirs.
 */
export function shareDir(o: ShareDirOptions): Result<string> {
  let refused: Finding | undefined;
  for (const dir of shareDirCandidates(o)) {
    const checked = privateDir(dir, o.uid);
    if (checked.ok && path.join(dir, `${"f".repeat(32)}.sock`).length <= MAX_SOCKET_PATH)
      return checked;
    if (!checked.ok) refused ??= checked.finding;
  }
  return fail(
    refused ?? {
      id: "fs.foreign_owner",
      severity: "warning",
      message:
        "No private dir for the shared gopls: set GOPLS_GUARD_SHARE_DIR to a short path only you can open; running unshared.",
      evidence: { candidates: shareDirCandidates(o).join(", ") },
      fix: "Set GOPLS_GUARD_SHARE_DIR to a short path of a directory only you can open (chmod 700).",
    },
  );
}

function privateDir(dir: string, uid: number): Result<string> {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return unusable(dir, error as Error);
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (error) {
    return unusable(dir, error as Error);
  }
  const problem = !st.isDirectory()
    ? "is not a directory"
    : st.uid !== uid
      ? `belongs to user ${st.uid}`
      : (st.mode & 0o077) !== 0
        ? "can be opened by others"
        : unsafeParent(dir, uid);
  if (!problem) return ok(dir);
  const opened = st.isDirectory() && st.uid === uid && (st.mode & 0o077) !== 0;
  const elsewhere = "set GOPLS_GUARD_SHARE_DIR to a dir only you can open";
  return fail({
    id: "fs.foreign_owner",
    severity: "warning",
    message: `Shared-gopls dir ${dir} ${problem}: ${opened ? `\`chmod 700 ${dir}\`` : elsewhere}; running unshared.`,
    evidence: { dir, uid: String(st.uid), mode: (st.mode & 0o7777).toString(8) },
    fix: opened
      ? `\`chmod 700 ${dir}\`, or ${elsewhere}.`
      : st.uid !== uid
        ? `Remove ${dir} (it is not yours: ask its owner or an administrator), or ${elsewhere}.`
        : "Set GOPLS_GUARD_SHARE_DIR to a directory only you can open, in a place no other user can write.",
  });
}

/**
 * A parent another user could rename the directory out of (and put theirs in its place): one
 * they can write that is not sticky, or one owned by someone other than you or root.
 */
function unsafeParent(dir: string, uid: number): string | undefined {
  for (let p = path.dirname(dir); ; p = path.dirname(p)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return `sits in ${p}, which cannot be checked`;
    }
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.uid !== uid && st.uid !== 0) return `sits in ${p}, which belongs to user ${st.uid}`;
    if ((st.mode & 0o022) !== 0 && !sticky && st.uid !== uid)
      return `sits in ${p}, which others can write`;
    if ((st.mode & 0o002) !== 0 && !sticky) return `sits in ${p}, which anyone can write`;
    if (p === path.dirname(p)) return undefined;
  }
}

function unusable(dir: string, error: Error): Result<string> {
  return fail({
    id: "fs.foreign_owner",
    severity: "warning",
    message: `Shared-gopls dir ${dir} cannot be used: set GOPLS_GUARD_SHARE_DIR to a dir only you can open; running unshared.`,
    evidence: { dir, error: error.message },
    fix: "Set GOPLS_GUARD_SHARE_DIR to a directory only you can open.",
  });
}

export function socketPath(dir: string, keyHash: string): string {
  return path.join(dir, `${keyHash.slice(0, 32)}.sock`);
}
