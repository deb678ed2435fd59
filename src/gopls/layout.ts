// Where managed gopls builds live: one directory per gopls version and Go language version
// under an install root, plus the root's lock, its owner note, and staging directories.

import path from "node:path";
import { type GoVersion, languageVersion } from "../go/goversion.js";

export const GOPLS_MODULE = "golang.org/x/tools/gopls";

export function versionDir(root: string, version: string, go: GoVersion): string {
  return path.join(root, `gopls-${version}-${languageVersion(go)}`);
}

export function binaryIn(dir: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(dir, platform === "win32" ? "gopls.exe" : "gopls");
}

export const LOCK_NAME = ".install.lock";
/** One cache warming at a time per install root (src/serve/build-warming.ts). */
export const WARM_LOCK_NAME = ".warm.lock";
export const OWNER_NAME = "owner.json";
export const STAGE_PREFIX = ".stage-";
export const TRASH_PREFIX = ".trash-";

/** Parses a version directory's name back ("gopls-v0.16.2-go1.22"). */
export function parseVersionDir(name: string): { version: string; goLanguage: string } | undefined {
  const m = /^gopls-(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)-(go\d+\.\d+)$/.exec(name);
  return m ? { version: m[1] as string, goLanguage: m[2] as string } : undefined;
}

/** Beside a build made with a toolchain newer than the local Go: that toolchain's name. */
export const TOOLCHAIN_NAME = "toolchain";
