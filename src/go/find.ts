// Finds the go binary the way a person would: GOPLS_GUARD_GO, the editor's PATH, the login
// shell's PATH, then the places Go installers put it. Every seam (env, platform, home, file
// checks, the shell probe) is passed in so each OS's rules are testable here.

import fs from "node:fs";
import path from "node:path";
import { envValue } from "../env-lookup.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { unsafe } from "../gopls/probe.js";
import type { LoginShellProbe } from "./shell.js";

export type GoSource = "GOPLS_GUARD_GO" | "PATH" | "login shell PATH" | "well-known location";

export interface FoundGo {
  path: string;
  source: GoSource;
  /** A warning when go was found somewhere the editor's PATH does not reach. */
  warning?: Finding;
}

export interface FindGoSeams {
  /** GOPLS_GUARD_GO (or the config file's "go"). */
  explicit: string | undefined;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  isExecutable?: (p: string) => boolean;
  /** Why running this go would let others run code as you (fs.unsafe_binary), if so. */
  unsafeGo?: (p: string) => Finding | undefined;
  listDir?: (p: string) => string[];
  loginShell?: LoginShellProbe;
}

function defaultIsExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function defaultListDir(p: string): string[] {
  try {
    return fs.readdirSync(p);
  } catch {
    return [];
  }
}

/** A go anyone could have replaced (it, or a directory above it, writable by every user). */
function defaultUnsafeGo(p: string): Finding | undefined {
  const [problem] = unsafe(p, "/");
  if (!problem) return undefined;
  return {
    ...problem,
    message: `${problem.evidence.path} is writable by every user, so anyone could replace go: the guard will not run ${p}.`,
    fix: `\`chmod o-w ${problem.evidence.path}\` (and check that ${p} is the Go you installed), or set GOPLS_GUARD_GO to a go only you and root can write.`,
  };
}

function exeName(platform: NodeJS.Platform): string {
  return platform === "win32" ? "go.exe" : "go";
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** The go a PATH runs first, if any (the same search findGo makes). */
export function firstGoOnPath(
  pathValue: string | undefined,
  platform: NodeJS.Platform,
): string | undefined {
  return searchPath(pathValue, { platform });
}

interface PathSearch {
  platform: NodeJS.Platform;
  /** A seam for the platforms the tests run the rules of; absent: this machine, by `which`. */
  isExecutable?: ((p: string) => boolean) | undefined;
  /** A candidate found that may be run (not one anyone could have replaced). */
  usable?: (p: string) => boolean;
  /**
   * This machine's search, by the which package (PATHEXT and quoted entries on Windows): loaded
   * by findGo, a cold start's step, and not on the warm path, which checks one go by stats.
   */
  lookup?: (name: string, pathValue: string) => readonly string[];
}

function searchPath(pathValue: string | undefined, s: PathSearch): string | undefined {
  const usable = s.usable ?? (() => true);
  if (!s.isExecutable && s.lookup) {
    // An empty PATH finds nothing (which would read this process's PATH instead).
    return pathValue ? s.lookup(exeName(s.platform), pathValue).find(usable) : undefined;
  }
  const isExecutable = s.isExecutable ?? defaultIsExecutable;
  const p = pathApi(s.platform);
  const sep = s.platform === "win32" ? ";" : ":";
  for (const dir of (pathValue ?? "").split(sep)) {
    if (!dir) continue;
    const candidate = p.join(dir, exeName(s.platform));
    if (isExecutable(candidate) && usable(candidate)) return candidate;
  }
  return undefined;
}

/** The directories Go installers and version managers use, newest SDK first where several. */
export function wellKnownDirs(
  s: Pick<FindGoSeams, "env" | "platform" | "homedir">,
  listDir: (p: string) => string[],
): string[] {
  const p = pathApi(s.platform);
  const sdks = (root: string) =>
    listDir(root)
      .filter((d) => /^go\d/.test(d))
      .sort()
      .reverse()
      .map((d) => p.join(root, d, "bin"));
  if (s.platform === "win32") {
    const programFiles = envValue(s.env, "ProgramFiles", s.platform) ?? "C:\\Program Files";
    const profile = envValue(s.env, "USERPROFILE", s.platform) ?? s.homedir;
    return [
      p.join(programFiles, "Go", "bin"),
      ...sdks(p.join(profile, "sdk")),
      p.join(profile, "go", "bin"),
      "C:\\Go\\bin",
    ];
  }
  const dirs = [
    "/usr/local/go/bin",
    "/usr/lib/go/bin",
    p.join(s.homedir, "go", "bin"),
    ...sdks(p.join(s.homedir, "sdk")),
    "/snap/bin",
  ];
  if (s.platform === "darwin") dirs.push("/opt/homebrew/bin", "/usr/local/bin", "/opt/local/bin");
  return dirs;
}

function pathFix(dir: string, platform: NodeJS.Platform): string {
  if (platform === "darwin")
    return `Add ${dir} to the PATH GUI apps get: \`launchctl config user path "${dir}:$PATH"\` (then log out and in), or start the editor from a terminal.`;
  if (platform === "win32")
    return `Add ${dir} to your user PATH (System Properties → Environment Variables) and restart the editor.`;
  return `Add ${dir} to PATH where your desktop session reads it (~/.profile, or ~/.config/environment.d/*.conf for systemd user sessions), then log out and in; or set GOPLS_GUARD_GO=${path.join(dir, "go")}.`;
}

export async function findGo(seams: FindGoSeams): Promise<Result<FoundGo>> {
  let refused: Finding | undefined;
  const unsafeGo = seams.unsafeGo ?? defaultUnsafeGo;
  // A go others could have replaced is passed over, and said if nothing else is found.
  const usable = (p: string) => {
    const problem = unsafeGo(p);
    refused ??= problem;
    return !problem;
  };
  const found = await search(seams, usable);
  return !found.ok && refused && found.finding.id === "go.missing" ? fail(refused) : found;
}

async function search(
  seams: FindGoSeams,
  usable: (p: string) => boolean,
): Promise<Result<FoundGo>> {
  const s = { listDir: defaultListDir, ...seams };
  const exec = (p: string) => (s.isExecutable ?? defaultIsExecutable)(p) && usable(p);
  const { default: which } = await import("which");
  const lookup = (name: string, pathValue: string) =>
    which.sync(name, { path: pathValue, all: true, nothrow: true }) ?? [];
  const onPaths = { platform: s.platform, isExecutable: s.isExecutable, usable, lookup };
  const PATH = envValue(s.env, "PATH", s.platform);
  const explicit = s.explicit;
  if (explicit) {
    if (exec(explicit)) return ok({ path: explicit, source: "GOPLS_GUARD_GO" });
    return fail({
      id: "go.missing",
      severity: "error",
      message: "GOPLS_GUARD_GO does not name an executable go binary.",
      evidence: { GOPLS_GUARD_GO: explicit },
      fix: "Set GOPLS_GUARD_GO to the go binary (for example /usr/local/go/bin/go), or unset it.",
    });
  }
  const onPath = searchPath(PATH, onPaths);
  if (onPath) return ok({ path: onPath, source: "PATH" });
  const looked: string[] = [];
  const shellEnv = s.loginShell ? await s.loginShell() : undefined;
  if (shellEnv?.env.PATH) {
    looked.push(`login shell ${shellEnv.shell} PATH`);
    const viaShell = searchPath(shellEnv.env.PATH, onPaths);
    if (viaShell)
      return ok({
        path: viaShell,
        source: "login shell PATH",
        warning: notOnEditorPath(viaShell, s.platform, PATH),
      });
  }
  for (const dir of wellKnownDirs(s, s.listDir)) {
    const candidate = pathApi(s.platform).join(dir, exeName(s.platform));
    looked.push(dir);
    if (exec(candidate))
      return ok({
        path: candidate,
        source: "well-known location",
        warning: notOnEditorPath(candidate, s.platform, PATH),
      });
  }
  return fail({
    id: "go.missing",
    severity: "error",
    message: "Go is not installed where the guard can find it.",
    evidence: { PATH: PATH ?? "(unset)", "also looked in": looked.join(", ") },
    fix: "Install Go from https://go.dev/dl/ (or your package manager), or set GOPLS_GUARD_GO to the go binary.",
  });
}

/** go.missing as a warning: found, used (and put first on gopls's PATH), but not on the editor's PATH. */
export function notOnEditorPath(
  goPath: string,
  platform: NodeJS.Platform,
  editorPath: string | undefined,
): Finding {
  const dir = pathApi(platform).dirname(goPath);
  return {
    id: "go.missing",
    severity: "warning",
    message: `go is not on PATH; the guard uses ${goPath} and puts ${dir} first on gopls's PATH.`,
    evidence: { "go found in": dir, PATH: editorPath ?? "(unset)" },
    fix: pathFix(dir, platform),
  };
}
