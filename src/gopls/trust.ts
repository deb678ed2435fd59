// Whose gopls builds the guard runs. `go version -m` says what a binary claims to be, which anyone
// can make it claim; who could have written it is what decides. A managed build runs only if it
// and its directory belong to you, to root, or to the owner of an install dir only its owner can
// write (an admin- or service-managed dir), and neither can be written by anyone else. In a
// group-writable install dir, another member's build is not run: they could have planted it.

import fs from "node:fs";
import path from "node:path";
import type { Finding } from "../findings.js";

function userName(uid: number): string {
  try {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.split(":")[2] === String(uid));
    return line ? `${line.split(":")[0]} (uid ${uid})` : `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}

/** The uids whose builds in this install root may run. */
function trustedOwners(root: string, me: number): Set<number> {
  const owners = new Set([me, 0]);
  const st = fs.statSync(root, { throwIfNoEntry: false });
  // An install dir only its owner can write: that owner installs, everyone runs.
  if (st && (st.mode & 0o022) === 0) owners.add(st.uid);
  return owners;
}

/**
 * Why a managed build may not run (fs.unsafe_binary), or undefined when it may. Unix only: on
 * Windows access is in ACLs, which node does not read.
 */
export function untrustedBuild(
  bin: string,
  platform: NodeJS.Platform = process.platform,
): Finding | undefined {
  const me = process.getuid?.();
  if (platform === "win32" || me === undefined) return undefined;
  const dir = path.dirname(bin);
  const owners = trustedOwners(path.dirname(dir), me);
  for (const p of [bin, dir]) {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return undefined; // not there: nothing runs it
    const problem = st.isSymbolicLink()
      ? "is a symbolic link"
      : !owners.has(st.uid)
        ? `belongs to ${userName(st.uid)}, not to you or root`
        : (st.mode & 0o022) !== 0
          ? `can be written by ${st.mode & 0o002 ? "every user" : "its group"}`
          : undefined;
    if (problem)
      return {
        id: "fs.unsafe_binary",
        severity: "error",
        message: `The gopls build at ${dir} ${problem}: anyone who could write it could run code as you, so the guard does not run it.`,
        evidence: {
          path: p,
          owner: userName(st.uid),
          mode: (st.mode & 0o7777).toString(8),
        },
        fix: "Let the guard install your own (it does, into your own directory), or have an admin install into a directory only they can write (README, Security).",
      };
  }
  return undefined;
}
