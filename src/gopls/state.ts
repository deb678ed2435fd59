// What a cold start learned, kept so that a warm start with nothing changed spawns gopls with
// no subprocess at all: checked by stat (the go binary, go's env file, the gopls binary) and by
// a key over every setting that could change the answer.

import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import { envValue } from "../env-lookup.js";
import type { GoEnv } from "../go/env.js";
import type { FoundGo } from "../go/find.js";
import { redactDeep } from "../safe-text.js";

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

export function stateKey(
  config: Config,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string {
  let text = "";
  for (const v of KEY_VARS) text += `${v}=${envValue(env, v, platform) ?? ""}\0`;
  text += `${config.goPath ?? ""}\0${config.goplsPath ?? ""}\0${config.goplsVersion}\0${config.installDir}\0`;
  return settingsHash(text);
}

/**
 * 96 bits of FNV-1a (three 32-bit lanes with different offsets), as 24 hex digits: enough to
 * tell one set of settings from another, and no node:crypto on the warm path (loading it costs a
 * start ~4 ms). Not a defence against anyone choosing settings to collide: nobody gains by it.
 */
export function settingsHash(text: string): string {
  let out = "";
  for (const offset of [0x811c9dc5, 0x050c5d1f, 0x2f31a8a5]) {
    let h = offset;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
      h ^= h >>> 15; // so that lanes started from different offsets do not stay in step
    }
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
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
    // Settings that may carry credentials (GOPROXY=https://user:token@…) are stored redacted:
    // the key (a hash of the real values) is what tells settings apart.
    fs.writeFileSync(tmp, JSON.stringify({ ...state, goEnv: redactDeep(state.goEnv) }), {
      mode: 0o600,
    });
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
