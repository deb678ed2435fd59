// What a launcher runs and which Go built it, in a small JSON file beside it, and the list of
// launchers a guard home has made (so a serve start can find links made with `link DIR`).

import fs from "node:fs";
import path from "node:path";
import { languageVersion, parseGoVersion } from "../go/goversion.js";
import { type LauncherTarget, sidecarFile } from "./paths.js";

export interface Sidecar extends LauncherTarget {
  /** The Go that built the launcher, as `go version` names it ("go1.26.8"). */
  go: string;
  /** That go binary. */
  goBinary: string;
  builtAt: string;
}

function parseSidecar(raw: unknown): Sidecar | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const strings = ["go", "goBinary", "node", "guard", "builtAt"] as const;
  if (!strings.every((k) => typeof o[k] === "string")) return undefined;
  if (!Array.isArray(o.nodeFlags) || !o.nodeFlags.every((f) => typeof f === "string"))
    return undefined;
  return raw as Sidecar;
}

export function readSidecar(launcher: string): Sidecar | undefined {
  try {
    return parseSidecar(JSON.parse(fs.readFileSync(sidecarFile(launcher), "utf8")));
  } catch {
    return undefined;
  }
}

/** Written after the launcher is in place: a crash between the two leaves it marked stale. */
export function writeSidecar(launcher: string, s: Sidecar): void {
  writeAtomically(sidecarFile(launcher), `${JSON.stringify(s, null, 2)}\n`);
}

/** Is this file a launcher a guard built? One stat (and a realpath for a link to one). */
export function isLauncher(p: string): boolean {
  if (fs.existsSync(sidecarFile(p))) return true;
  try {
    return fs.existsSync(sidecarFile(fs.realpathSync(p)));
  } catch {
    return false;
  }
}

/**
 * VS Code's Go extension asks to recompile a tool built by another Go minor, or by another
 * pre-release of the same minor; the launcher is rebuilt in exactly those cases.
 */
export function needsRebuild(builtWith: string, local: string): boolean {
  const a = parseGoVersion(builtWith);
  const b = parseGoVersion(local);
  if (!a || !b) return builtWith !== local;
  if (languageVersion(a) !== languageVersion(b)) return true;
  return (a.pre !== "" || b.pre !== "") && builtWith !== local;
}

function registryFile(home: string): string {
  return path.join(home, "state", "launchers.json");
}

/** The launchers (and fallback links) `gopls-guard link` made for this home. */
export function recordedLaunchers(home: string): string[] {
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(registryFile(home), "utf8"));
    return Array.isArray(raw) ? raw.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return [];
  }
}

export function recordLauncher(home: string, launcher: string): void {
  const all = recordedLaunchers(home);
  if (all.includes(launcher)) return;
  writeAtomically(registryFile(home), `${JSON.stringify([...all, launcher], null, 2)}\n`);
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
