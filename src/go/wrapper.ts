// A go that exists but does not work as go: a version manager's shim with no version selected,
// a wrapper that prints into go's output, one that word-splits its arguments. Said as
// go.broken_wrapper with the shim's own words, what the file is, and a Go found that works.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding } from "../findings.js";
import { wellKnownDirs } from "./find.js";
import { runGo } from "./run.js";

export type WrapperKind = "asdf" | "mise" | "goenv" | "script" | "binary";

/** What the file at go's path is, from its path and its first bytes. */
export function wrapperKind(file: string, head: string): WrapperKind {
  // Unreadable: nothing says it is not go itself.
  if (!head) return "binary";
  // ELF, Mach-O (both byte orders, and universal), PE: a program, wherever it is installed.
  if (/^(\x7fELF|\xcf\xfa\xed\xfe|\xfe\xed\xfa\xcf|\xca\xfe\xba\xbe|MZ)/.test(head))
    return "binary";
  const where = `${file}\n${head}`;
  if (/[\\/]\.asdf[\\/]|\basdf\b/.test(where)) return "asdf";
  if (/[\\/]mise[\\/]|\bmise\b/.test(where)) return "mise";
  if (/[\\/]\.goenv[\\/]|\bgoenv\b/.test(where)) return "goenv";
  return "script";
}

function readHead(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const buf = Buffer.alloc(2048);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("latin1");
  } catch {
    return "";
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

export interface WorkingGo {
  path: string;
  version: string;
}

/**
 * Another Go that answers `go env GOVERSION`: GOROOT/bin/go, then the well-known places; never
 * the broken one itself (by its real path).
 */
export async function workingGoElsewhere(
  broken: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  homedir: string = os.homedir(),
): Promise<WorkingGo | undefined> {
  const exe = platform === "win32" ? "go.exe" : "go";
  const p = platform === "win32" ? path.win32 : path.posix;
  const listDir = (d: string) => {
    try {
      return fs.readdirSync(d);
    } catch {
      return [];
    }
  };
  const dirs = [
    ...(env.GOROOT ? [p.join(env.GOROOT, "bin")] : []),
    ...wellKnownDirs({ env, platform, homedir }, listDir),
  ];
  const skip = realPath(broken);
  const seen = new Set<string>();
  for (const dir of dirs) {
    const candidate = p.join(dir, exe);
    const real = realPath(candidate);
    if (real === skip || seen.has(real) || !fs.existsSync(candidate)) continue;
    seen.add(real);
    if (wrapperKind(candidate, readHead(candidate)) !== "binary") continue;
    const r = await runGo(candidate, ["env", "GOVERSION"], {
      env: { ...env, GOTOOLCHAIN: "local", GOFLAGS: " " },
      cwd: os.tmpdir(),
      timeoutMs: 5000,
    });
    const version = r.stdout.trim();
    if (r.exitCode === 0 && /^go\d/.test(version)) return { path: candidate, version };
  }
  return undefined;
}

/**
 * What breaks a wrapper shows in a go query that any Go answers the same way: its arguments come
 * through intact (`{{context.Compiler}}` is one argument) and nothing else is printed. Undefined
 * when the answer is right; else what the go said.
 */
export async function argumentsProblem(
  go: string,
  user: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const r = await runGo(
    go,
    ["list", "-f", "{{context.GOARCH}} {{context.Compiler}}", "--", "unsafe"],
    {
      // No module, no workspace, no user flags: nothing but the wrapper can make this fail.
      env: { ...user, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: " " },
      cwd: os.tmpdir(),
      timeoutMs: 15_000,
    },
  );
  if (r.exitCode === 0 && /^\S+ (gc|gccgo)$/.test(r.stdout.trim())) return undefined;
  const said = `${r.stderr}\n${r.stdout}`.trim().split("\n").filter(Boolean).slice(-2).join(" | ");
  return r.spawnError ?? (r.timedOut ? "timed out after 15 s" : said || `exit ${r.exitCode}`);
}

export type WrapperFault =
  /** `go env -json` failed: the shim's words. */
  | { kind: "fails"; said: string }
  /** `go env -json` answered with text of its own before go's JSON. */
  | { kind: "prints"; said: string }
  /** A query any Go answers failed or came back wrong. */
  | { kind: "arguments"; said: string };

const NAMES: Record<WrapperKind, string> = {
  asdf: "an asdf shim",
  mise: "a mise shim",
  goenv: "a goenv shim",
  script: "a wrapper script",
  binary: "a program",
};

/** The finding, given what the file is, what it said, and a Go that works, if one was found. */
export function brokenWrapper(
  go: string,
  kind: WrapperKind,
  fault: WrapperFault,
  working: WorkingGo | undefined,
): Finding {
  const real = realPath(go);
  const what = NAMES[kind];
  const useWorking = working ? ` or set GOPLS_GUARD_GO=${working.path}` : "";
  const version = working?.version.replace(/^go/, "") ?? "<version>";
  const wordSplit = /malformed import path|cannot find package "\{\{/.test(fault.said);
  let message: string;
  let fix: string;
  if (kind === "asdf" || kind === "mise" || kind === "goenv") {
    const select = {
      asdf: `\`asdf set golang ${version}\` (asdf list golang shows what is installed)`,
      mise: `\`mise use go@${version}\``,
      goenv: `\`goenv global ${version}\``,
    }[kind];
    message = `The go on PATH is ${what} that does not run Go: select a Go version in it${working ? ", or use the Go found elsewhere" : ""}.`;
    fix = `Select a version: ${select}${useWorking}; then restart the language server.`;
  } else if (fault.kind === "prints") {
    message = `The go on PATH is ${what} that prints its own text into go's output: make it print to stderr.`;
    fix = `Make ${real} write its messages to stderr, not stdout${useWorking}.`;
  } else if (fault.kind === "arguments" && wordSplit) {
    message = `The go on PATH is ${what} that splits its arguments: make it pass "$@".`;
    fix = `In ${real}, run go with "$@" (quoted), not $* or $@${useWorking}.`;
  } else {
    message = `The go on PATH is ${what} that does not work as go: fix it${working ? ", or use the Go found elsewhere" : ""}.`;
    fix = `Run \`${go} env\` in a terminal to see why${useWorking}.`;
  }
  return {
    id: "go.broken_wrapper",
    severity: "error",
    message,
    evidence: {
      go,
      ...(real !== go ? { "real path": real } : {}),
      "it is": what,
      "it said": fault.said || "(nothing)",
      "Go found elsewhere": working ? `${working.path} (${working.version})` : "none",
    },
    fix,
  };
}

/** What the file at go's path is (read once; a few bytes). */
export function goFileKind(go: string): WrapperKind {
  return wrapperKind(go, readHead(go));
}

/** The finding for a shim or wrapper whose go query failed or printed extra, with a Go that works. */
export async function diagnoseGo(
  go: string,
  kind: WrapperKind,
  user: NodeJS.ProcessEnv,
  fault: WrapperFault,
): Promise<Finding> {
  return brokenWrapper(go, kind, fault, await workingGoElsewhere(go, user));
}
