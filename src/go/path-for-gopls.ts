// The PATH gopls runs with. gopls runs `go` itself (go list, go env, go mod) and finds it on its
// own PATH: when the Go the guard chose is not the first go there, gopls would fail ("go command
// required, not found") or use another Go, so that Go's directory goes first.

import fs from "node:fs";
import path from "node:path";
import { envValue } from "../env-lookup.js";
import type { Finding } from "../findings.js";
import { type FoundGo, firstGoOnPath, notOnEditorPath } from "./find.js";

function real(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

export interface GoForGopls {
  /** The PATH gopls needs; undefined when the editor's PATH already runs this go first. */
  PATH: string | undefined;
  /**
   * What to tell the user when gopls gets a PATH the editor did not give it: the editor lacks go
   * (a warning: the editor's own Go tasks lack it too), or GOPLS_GUARD_GO names a go that is not
   * the editor's (info: the user chose it).
   */
  notice: Finding | undefined;
}

/**
 * Where gopls's go comes from, with one search of the editor's PATH. The PATH: go's directory,
 * the editor's PATH, then what only the login shell's PATH has (tools in GOBIN that gopls runs,
 * such as staticcheck) when go was found through that shell.
 */
export function goForGopls(
  found: Pick<FoundGo, "path" | "source">,
  editorPath: string | undefined,
  platform: NodeJS.Platform,
  shellPath?: string,
): GoForGopls {
  const first = firstGoOnPath(editorPath, platform);
  if (first && real(first) === real(found.path)) return { PATH: undefined, notice: undefined };
  const p = platform === "win32" ? path.win32 : path.posix;
  const sep = platform === "win32" ? ";" : ":";
  const dir = p.dirname(found.path);
  const dirs = [dir, ...(editorPath ?? "").split(sep), ...(shellPath ?? "").split(sep)];
  const notice: Finding =
    found.source !== "GOPLS_GUARD_GO"
      ? notOnEditorPath(found.path, platform, editorPath)
      : {
          id: "go.missing",
          severity: "info",
          message: `gopls runs with ${dir} first on its PATH, so that it uses GOPLS_GUARD_GO (${found.path}) as the guard does.`,
          evidence: { GOPLS_GUARD_GO: found.path, "editor's go": first ?? "(none on PATH)" },
          fix: "",
        };
  return { PATH: [...new Set(dirs.filter(Boolean))].join(sep), notice };
}

/** goForGopls for a go just found: the login shell's PATH is asked only when go came from it. */
export async function goForGoplsFound(
  found: FoundGo,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  loginShell: () => Promise<{ env: Record<string, string> } | undefined>,
): Promise<GoForGopls> {
  const shellPath =
    found.source === "login shell PATH" ? (await loginShell())?.env.PATH : undefined;
  return goForGopls(found, envValue(env, "PATH", platform), platform, shellPath);
}
