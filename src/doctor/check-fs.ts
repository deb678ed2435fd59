// The doctor's checks of where things are written: the install directory and go's caches
// (writable, and by whom), directories another user owns, and room for a gopls build.

import fs from "node:fs";
import path from "node:path";
import type { Finding } from "../findings.js";
import { cacheFix } from "../go/cache-fix.js";
import type { GoEnv } from "../go/env.js";
import { probeWritable } from "../gopls/probe.js";
import type { DoctorSeams } from "./seams.js";

export function checkDirs(s: DoctorSeams, ge: GoEnv): Finding[] {
  const out: Finding[] = [];
  const perUser = path.join(s.config.home, "gopls");
  const from = s.config.homeFallbackFrom;
  // Inside a home that cannot be written: the home's finding says it, with where installs go.
  const insideUnwritableHome = from && !path.relative(from, s.config.installDir).startsWith("..");
  if (s.config.installDir !== perUser && !insideUnwritableHome) {
    const p = probeWritable(s.config.installDir, s.platform);
    if (p) out.push({ ...p, message: `${p.message} The guard falls back to ${perUser}.` });
  }
  for (const [name, dir] of [
    ["GOCACHE", ge.GOCACHE],
    ["GOMODCACHE", ge.GOMODCACHE],
  ] as const) {
    if (!dir || dir === "off") continue;
    const p = probeWritable(dir);
    if (!p) continue;
    const st = statOf(dir);
    // A permission denial the mode bits do not explain (a read-only mount explains itself).
    const modeAllows =
      p.evidence.error !== "EROFS" &&
      st &&
      (st.uid === process.getuid?.() ? (st.mode & 0o200) !== 0 : (st.mode & 0o002) !== 0);
    out.push({
      id: "fs.cache_unwritable",
      severity: "warning",
      message: `${name} (${dir}) is not writable: an install of gopls would use a private one for that build.`,
      evidence: { ...p.evidence, [name]: dir },
      fix: modeAllows
        ? `The mode bits allow the write, so a security module is the likely cause: check \`ausearch -m avc -ts recent\` (SELinux) or \`dmesg | grep -i apparmor\`, and \`ls -Z ${dir}\`.`
        : cacheFix(name, dir, s.homedir),
    });
  }
  const me = process.getuid?.();
  for (const dir of [s.config.home, ge.GOPATH.split(path.delimiter)[0] ?? ""]) {
    const st = dir ? statOf(dir) : undefined;
    if (st && me !== undefined && st.uid !== me)
      out.push({
        id: "fs.foreign_owner",
        severity: "warning",
        message: `${dir} belongs to another user (uid ${st.uid}), typically after running the editor or go once with sudo.`,
        evidence: { dir, owner: `uid ${st.uid}`, you: `uid ${me}` },
        fix: `\`sudo chown -R $(id -un): ${dir}\``,
      });
  }
  return out;
}

/**
 * What a gopls build writes, in MiB, from cold caches (gopls v0.23.0 measured: 383 MiB of build
 * cache, ~50 of module downloads, a 41 MiB binary, twice while staged beside the last one).
 */
const BUILD_NEEDS_MIB = { GOCACHE: 400, GOMODCACHE: 60, install: 100 };

/** The nearest directory of a path that exists (the one whose file system a write would use). */
function existingAncestor(p: string): string | undefined {
  for (let d = path.resolve(p); ; d = path.dirname(d)) {
    if (statOf(d)?.isDirectory()) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** fs.no_space before a build fails on it: free space where gopls's build writes (statfs). */
export function checkSpace(s: DoctorSeams, ge: GoEnv): Finding[] {
  const byDevice = new Map<number, { dir: string; free: number; need: number; uses: string[] }>();
  for (const [use, dir, need] of [
    ["GOCACHE", ge.GOCACHE, BUILD_NEEDS_MIB.GOCACHE],
    ["GOMODCACHE", ge.GOMODCACHE, BUILD_NEEDS_MIB.GOMODCACHE],
    ["the install directory", s.config.installDir, BUILD_NEEDS_MIB.install],
  ] as const) {
    if (!dir || dir === "off") continue;
    const at = existingAncestor(dir);
    const st = at ? statOf(at) : undefined;
    if (!at || !st) continue;
    let free: number;
    try {
      const fsStat = fs.statfsSync(at);
      free = (fsStat.bavail * fsStat.bsize) / 2 ** 20;
    } catch {
      continue;
    }
    const seen = byDevice.get(st.dev);
    if (seen) {
      seen.need += need;
      seen.uses.push(`${use} (${dir})`);
    } else byDevice.set(st.dev, { dir: at, free, need, uses: [`${use} (${dir})`] });
  }
  return [...byDevice.values()]
    .filter((d) => d.free < d.need)
    .map((d) => ({
      id: "fs.no_space",
      severity: "warning",
      message: `Only ${Math.floor(d.free)} MiB are free where gopls's build writes; a build needs about ${d.need} MiB there, so an install (or an update) would fail.`,
      evidence: {
        "file system of": d.dir,
        free: `${Math.floor(d.free)} MiB`,
        "written there": d.uses.join(", "),
      },
      fix: "Free some space (`go clean -cache` empties the build cache, which refills as needed), or point GOCACHE/GOPLS_GUARD_INSTALL_DIR at a disk with room.",
    }));
}

export function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}
