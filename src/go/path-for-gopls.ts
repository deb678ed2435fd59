// The PATH gopls runs with. gopls runs `go` itself (go list, go env, go mod) and finds it on its
// own PATH: when the Go the guard chose is not the first go there, gopls would fail ("go command
// required, not found") or use another Go, so that Go's directory goes first.

import fs from "node:fs";
import path from "node:path";
import type { Finding } from "../findings.js";
import { type FoundGo, notOnEditorPath } from "./find.js";

function api(platform: NodeJS.Platform): { p: path.PlatformPath; sep: string; exe: string } {
  return platform === "win32"
    ? { p: path.win32, sep: ";", exe: "go.exe" }
    : { p: path.posix, sep: ":", exe: "go" };
}

function real(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/** The go a PATH runs first, if any. */
export function firstGo(
  pathValue: string | undefined,
  platform: NodeJS.Platform,
): string | undefined {
  const { p, sep, exe } = api(platform);
  for (const dir of (pathValue ?? "").split(sep)) {
    if (!dir) continue;
    const candidate = p.join(dir, exe);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * undefined when the editor's PATH already runs this go first; else the PATH gopls needs: go's
 * directory, the editor's PATH, then what only the login shell's PATH has (tools in GOBIN that
 * gopls runs, such as staticcheck) when go was found through that shell.
 */
export function pathForGopls(
  go: string,
  editorPath: string | undefined,
  platform: NodeJS.Platform,
  shellPath?: string,
): string | undefined {
  const first = firstGo(editorPath, platform);
  if (first && real(first) === real(go)) return undefined;
  const { p, sep } = api(platform);
  const dirs = [p.dirname(go), ...(editorPath ?? "").split(sep), ...(shellPath ?? "").split(sep)];
  return [...new Set(dirs.filter(Boolean))].join(sep);
}

/**
 * What to tell the user when gopls gets a PATH the editor did not give it: the editor lacks go
 * (a warning: the editor's own Go tasks lack it too), or GOPLS_GUARD_GO names a go that is not
 * the editor's (info: the user chose it).
 */
export function goPlacement(
  found: Pick<FoundGo, "path" | "source">,
  editorPath: string | undefined,
  platform: NodeJS.Platform,
): Finding | undefined {
  const first = firstGo(editorPath, platform);
  if (first && real(first) === real(found.path)) return undefined;
  const dir = api(platform).p.dirname(found.path);
  if (found.source !== "GOPLS_GUARD_GO") return notOnEditorPath(found.path, platform, editorPath);
  return {
    id: "go.missing",
    severity: "info",
    message: `gopls runs with ${dir} first on its PATH, so that it uses GOPLS_GUARD_GO (${found.path}) as the guard does.`,
    evidence: { GOPLS_GUARD_GO: found.path, "editor's go": first ?? "(none on PATH)" },
    fix: "",
  };
}
