// File-system checks around the gopls binary: a real write probe of an install directory (the
// reason told apart: permissions, a read-only mount, a full disk), and whether others could
// replace the binary before it runs.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding } from "../findings.js";
import { createExclusive } from "../shared-file.js";

export function probeWritable(
  dir: string,
  platform: NodeJS.Platform = process.platform,
): Finding | undefined {
  let tmp: string | undefined;
  try {
    fs.mkdirSync(dir, { recursive: true });
    // A shared dir: a random name, created exclusively (never a file someone planted or linked).
    tmp = createExclusive(dir, ".probe-", "", 0o600);
    fs.renameSync(tmp, `${tmp}.renamed`);
    fs.rmSync(`${tmp}.renamed`, { force: true });
    return undefined;
  } catch (error) {
    if (tmp) fs.rmSync(tmp, { force: true });
    return unwritable(dir, error as NodeJS.ErrnoException, platform);
  }
}

/** Exported for the platforms this machine is not (Windows UAC): the finding for a failed probe. */
export function unwritable(
  dir: string,
  error: NodeJS.ErrnoException,
  platform: NodeJS.Platform = process.platform,
): Finding {
  const evidence: Record<string, string> = { dir, error: error.code ?? error.message };
  let owner = "";
  try {
    const st = fs.statSync(dir);
    owner = String(st.uid);
    evidence.owner = `uid ${st.uid}, gid ${st.gid}, mode ${(st.mode & 0o7777).toString(8)}`;
  } catch {
    // The directory may not exist and not be creatable.
  }
  let me = "$USER";
  try {
    me = os.userInfo().username;
  } catch {
    // keep the placeholder
  }
  const protectedWindowsDir =
    platform === "win32" && /^[a-z]:[\\/](program files( \(x86\))?|windows)[\\/]/i.test(`${dir}\\`);
  const fix =
    error.code === "ENOSPC"
      ? `The disk holding ${dir} is full; free some space.`
      : protectedWindowsDir
        ? `${dir} is protected by User Account Control: programs running as you cannot write there. Leave GOPLS_GUARD_INSTALL_DIR unset (the guard then installs into %LOCALAPPDATA%\\gopls-guard\\gopls), or, for a machine-wide directory, have an administrator create one outside Program Files and grant your users Modify on it (\`icacls "DIR" /grant "Users:(OI)(CI)M"\`).`
        : platform === "win32"
          ? `Grant yourself write access to ${dir} (\`icacls "${dir}" /grant "${me}:(OI)(CI)M"\`), or choose another GOPLS_GUARD_INSTALL_DIR.`
          : error.code === "EROFS"
            ? `${dir} is on a read-only file system; choose a writable GOPLS_GUARD_INSTALL_DIR.`
            : owner && owner !== String(process.getuid?.())
              ? `Give the directory to its users: \`sudo chown -hR ${me}: ${dir}\`, or for a shared group directory \`sudo chgrp -R GROUP ${dir} && sudo chmod 2775 ${dir}\`.`
              : `Make ${dir} writable (\`chmod u+w ${dir}\`), or choose another GOPLS_GUARD_INSTALL_DIR.`;
  return {
    id: "fs.install_dir_unwritable",
    severity: "warning",
    message: `The install directory ${dir} is not writable.`,
    evidence,
    fix,
  };
}

/** fs.unsafe_binary: the binary, or a directory up to root, writable by everyone (no sticky bit). */
export function unsafe(
  file: string,
  root: string,
  platform: NodeJS.Platform = process.platform,
): Finding[] {
  // On Windows node reports every writable file as mode 666 (the bits are made up from the
  // read-only flag; access is in ACLs): checked that way, no gopls would ever run there.
  if (platform === "win32") return [];
  const out: Finding[] = [];
  for (let p = file; ; p = path.dirname(p)) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(p);
    } catch {
      st = undefined;
    }
    if (st && (st.mode & 0o002) !== 0 && !(st.isDirectory() && (st.mode & 0o1000) !== 0)) {
      out.push({
        id: "fs.unsafe_binary",
        severity: "error",
        message: `${p} is writable by every user, so anyone could replace gopls; the guard will not run it.`,
        evidence: { path: p, mode: (st.mode & 0o7777).toString(8) },
        fix: `\`chmod o-w ${p}\``,
      });
    }
    if (p === root || path.dirname(p) === p || !p.startsWith(root)) break;
  }
  return out;
}

/** The directory up to which a gopls binary's safety is checked. */
export function safetyRoot(file: string, managed: boolean): string {
  return managed ? path.dirname(path.dirname(file)) : path.dirname(file);
}
