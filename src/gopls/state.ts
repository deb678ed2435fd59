// What a cold start learned, kept so that a warm start with nothing changed spawns gopls with
// no subprocess at all: checked by stat (the go binary, go's env file, the gopls binary) and by
// a key over every setting that could change the answer.

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import type { GoEnv } from "../go/env.js";
import type { FoundGo } from "../go/find.js";

export interface FileId {
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface WarmState {
  go: FileId;
  goEnv: GoEnv;
  /** go's own settings file (`go env -w` writes it); absent is recorded as size -1. */
  goEnvFile: FileId;
  version: string;
  decidedAt: number;
  gopls: FileId;
  /** Where go was found and how, to say again on a warm start what the cold start said. */
  goFound?: Pick<FoundGo, "path" | "source">;
  /** The PATH gopls gets (go's directory first) when the editor's does not run this go. */
  goplsPATH?: string;
}

/** Environment variables that change which go runs, what it reports, or what gopls is chosen. */
export const KEY_VARS = [
  "PATH",
  "HOME",
  "XDG_CONFIG_HOME",
  "GOROOT",
  "GOPATH",
  "GOBIN",
  "GOENV",
  "GOFLAGS",
  "GOTOOLCHAIN",
  "GO111MODULE",
  "GOOS",
  "GOARCH",
  "GOPROXY",
  "GONOPROXY",
  "GOPRIVATE",
  "GONOSUMDB",
  "GOSUMDB",
  "GOINSECURE",
];

export const DECISION_TTL_MS = 24 * 60 * 60 * 1000;

export function stateKey(config: Config, env: NodeJS.ProcessEnv): string {
  const h = createHash("sha256");
  for (const v of KEY_VARS) h.update(`${v}=${env[v] ?? ""}\0`);
  h.update(
    `${config.goPath ?? ""}\0${config.goplsPath ?? ""}\0${config.goplsVersion}\0${config.installDir}\0`,
  );
  return h.digest("hex").slice(0, 24);
}

export function fileId(p: string): FileId | undefined {
  try {
    const real = fs.realpathSync(p);
    const st = fs.statSync(real);
    return { path: real, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

export function sameFile(id: FileId | undefined, p: string): boolean {
  const now = fileId(p);
  if (!id || !now) return id === now || (id?.size === -1 && !now);
  return (
    now.path === id.path &&
    now.dev === id.dev &&
    now.ino === id.ino &&
    now.size === id.size &&
    now.mtimeMs === id.mtimeMs
  );
}

export function goEnvFileId(goEnv: GoEnv): FileId {
  return fileId(goEnv.GOENV) ?? { path: goEnv.GOENV, dev: 0, ino: 0, size: -1, mtimeMs: 0 };
}

function file(home: string, key: string): string {
  return path.join(home, "state", `${key}.json`);
}

export function readState(home: string, key: string): WarmState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file(home, key), "utf8")) as WarmState;
  } catch {
    return undefined;
  }
}

export function writeState(home: string, key: string, state: WarmState): void {
  const target = file(home, key);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, target);
  } catch {
    // Only a cache: the next start does the work again.
  }
}

/** The version decision is a day old: time to ask the proxy again (in the background, if it can). */
export function decisionDue(s: WarmState, now = Date.now()): boolean {
  return now - s.decidedAt > DECISION_TTL_MS;
}

/** The warm path's whole check: stats, no subprocess. */
export function stillValid(s: WarmState, goPath: string | undefined): boolean {
  if (goPath !== undefined && fileId(goPath)?.path !== s.go.path) return false;
  return (
    sameFile(s.go, s.go.path) &&
    sameFile(s.goEnvFile, s.goEnvFile.path) &&
    sameFile(s.gopls, s.gopls.path)
  );
}
