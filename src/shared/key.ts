// What must be the same for two clients to share one gopls: everything that makes gopls's
// answers differ. Each part is hashed on its own (status says which part two instances of one
// workspace differ in, without showing a value: a GOPROXY or a GIT_ variable may hold a
// credential), and the key is the hash of the parts.
//
// `go env` is not run on each start: the key holds what decides every `go env` value instead
// (every GO* and CGO_* variable, the go command's own identity, the GOENV file, the workspace's
// go.mod and go.work through its folders), so two clients whose `go env` differs in any value
// differ in the key.

import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface KeyPart {
  name: string;
  /** What status may show of it (no value that could hold a credential). */
  shown?: string | undefined;
  value: unknown;
}

export interface ShareKey {
  hash: string;
  /** Each part's hash, by name. */
  parts: Record<string, string>;
  /** What status shows: the workspace, the gopls build. */
  shown: Record<string, string>;
}

/** Variables gopls or the go commands it runs read, beyond the GO, CGO_ and GIT_ families. */
const ENV_NAMES = [
  "HOME",
  "USER",
  "LOGNAME",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "TMPDIR",
  "CC",
  "CXX",
  "FC",
  "AR",
  "PKG_CONFIG",
  "GCCGO",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "NETRC",
  // cgo: what a package's C parts see, and so what gopls says of them.
  "CPATH",
  "C_INCLUDE_PATH",
  "CPLUS_INCLUDE_PATH",
  "LIBRARY_PATH",
  "PKG_CONFIG_PATH",
  "PKG_CONFIG_LIBDIR",
];
const ENV_PREFIXES = ["GO", "CGO_", "GIT_"];
/** The guard's own settings that do not change what gopls answers. */
const GUARD_ONLY = /^GOPLS_GUARD_(SHARE|LOG_LEVEL|PARENT_PID|LAUNCHER)/;

export function keyEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || GUARD_ONLY.test(name)) continue;
    const upper = name.toUpperCase();
    if (ENV_NAMES.includes(upper) || ENV_PREFIXES.some((p) => upper.startsWith(p)))
      out[name] = value;
  }
  return sorted(out) as Record<string, string>;
}

/** The initialize parameters that change gopls's answers (not the editor's pid or trace). */
export function keyClient(params: Record<string, unknown>): {
  folders: unknown;
  client: unknown;
  settings: unknown;
} {
  const info = params.clientInfo as { name?: unknown } | undefined;
  return {
    folders: params.workspaceFolders ?? params.rootUri ?? params.rootPath ?? null,
    client: {
      capabilities: params.capabilities ?? null,
      name: info?.name ?? null,
      locale: params.locale ?? null,
    },
    settings: params.initializationOptions ?? null,
  };
}

export interface KeyInputs {
  uid: number;
  guard: string;
  /** The gopls build a start would run (path and version), or "unresolved". */
  gopls: string;
  /** The PATH gopls would get. */
  PATH: string;
  /** The guard's config file's text (its pin, its install dir...), "" when there is none. */
  configFile: string;
  env: NodeJS.ProcessEnv;
  goplsArgs: string[];
  initialize: Record<string, unknown>;
  /**
   * The client's answers to gopls's workspace/configuration, once they turned out to differ
   * from an instance's: it then shares with the clients whose answers are the same.
   */
  answers?: unknown;
}

export function shareKey(i: KeyInputs): ShareKey {
  const client = keyClient(i.initialize);
  const env = keyEnv(i.env);
  const parts: KeyPart[] = [
    { name: "user", value: i.uid },
    { name: "guard", value: i.guard },
    { name: "gopls", value: i.gopls, shown: i.gopls },
    { name: "PATH", value: i.PATH },
    { name: "env", value: env },
    { name: "config", value: i.configFile },
    { name: "go", value: goIdentity(i.PATH, env) },
    { name: "goenv-file", value: goenvFile(env) },
    { name: "folders", value: client.folders, shown: foldersShown(client.folders) },
    { name: "client", value: client.client },
    { name: "settings", value: client.settings },
    { name: "args", value: i.goplsArgs },
    ...(i.answers === undefined ? [] : [{ name: "answers", value: i.answers }]),
  ];
  const hashes: Record<string, string> = {};
  const shown: Record<string, string> = {};
  for (const p of parts) {
    hashes[p.name] = digest(JSON.stringify(sorted(p.value)));
    if (p.shown !== undefined) shown[p.name] = p.shown;
  }
  return { hash: digest(JSON.stringify(hashes)), parts: hashes, shown };
}

/**
 * Where go keeps code a workspace depends on: the module cache (GOMODCACHE, else the first
 * GOPATH's pkg/mod, as set in the environment or by `go env -w`) and GOROOT (set, else the go
 * command's own). A client whose folders all lie there was reached from another workspace.
 */
export function dependencyRoots(PATH: string, env: NodeJS.ProcessEnv): string[] {
  const written = Object.fromEntries(
    goenvFile(keyEnv(env))
      .split("\n")
      .flatMap((l) =>
        /^[A-Z0-9_]+=/.test(l) ? [[l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]] : [],
      ),
  ) as Record<string, string>;
  const get = (name: string) => env[name] || written[name] || undefined;
  const gopath = (get("GOPATH") ?? path.join(env.HOME ?? os.homedir(), "go")).split(
    path.delimiter,
  )[0] as string;
  const roots = [get("GOMODCACHE") ?? path.join(gopath, "pkg", "mod")];
  const goroot = get("GOROOT") ?? goCommand(PATH)?.root;
  // A GOROOT that is a git checkout is a Go contributor's workspace, not a dependency.
  if (goroot && !fs.existsSync(path.join(goroot, ".git"))) roots.push(goroot);
  return roots.map((r) => path.resolve(r));
}

/** The folders' paths, when every one of them lies under one of the roots. */
export function allUnder(folders: unknown, roots: string[]): boolean {
  const list = (
    Array.isArray(folders) ? folders.map((f) => (f as { uri?: unknown })?.uri) : [folders]
  )
    .filter((u): u is string => typeof u === "string" && u.startsWith("file:"))
    .map((u) => path.resolve(decodeURIComponent(new URL(u).pathname)));
  return (
    list.length > 0 &&
    list.every((p) => roots.some((r) => p === r || p.startsWith(`${r}${path.sep}`)))
  );
}

/** The part names two keys differ in. */
export function differingParts(a: Record<string, string>, b: Record<string, string>): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => a[n] !== b[n]).sort();
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** JSON with every object's keys in order: the same settings, the same text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

/** Objects with their keys in order, so that the same settings hash the same. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sorted((value as Record<string, unknown>)[k]);
  return out;
}

/** The go first on PATH, as a file: a different go (or the same path upgraded) is a new key. */
function goIdentity(PATH: string, env: Record<string, string>): string {
  const go = goCommand(PATH);
  if (!go) return "none";
  return `${go.real} ${go.size} ${go.mtimeMs} ${fileText(path.join(go.root, "go.env"))} ${fileText(path.join(go.root, "VERSION"))} ${env.GOROOT ?? ""}`;
}

/** The go first on PATH: its real file, and the root it belongs to. */
function goCommand(
  PATH: string,
): { real: string; root: string; size: number; mtimeMs: number } | undefined {
  const name = process.platform === "win32" ? "go.exe" : "go";
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir) continue;
    try {
      const real = fs.realpathSync(path.join(dir, name));
      const st = fs.statSync(real);
      if (st.isFile())
        return { real, root: path.dirname(path.dirname(real)), size: st.size, mtimeMs: st.mtimeMs };
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The user's `go env -w` settings (GOENV, else os.UserConfigDir()/go/env). */
function goenvFile(env: Record<string, string>): string {
  const file =
    env.GOENV ??
    path.join(
      env.XDG_CONFIG_HOME ??
        (process.platform === "darwin"
          ? path.join(env.HOME ?? os.homedir(), "Library", "Application Support")
          : path.join(env.HOME ?? os.homedir(), ".config")),
      "go",
      "env",
    );
  return fileText(file);
}

function fileText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function foldersShown(folders: unknown): string {
  const list = Array.isArray(folders)
    ? folders.map((f) => (f as { uri?: unknown })?.uri)
    : [folders];
  return list.filter((u) => typeof u === "string").join(", ");
}
