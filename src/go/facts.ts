// Go found and `go env` read once per process: a session's cold start and its in-session checks
// (and the doctor's checks and its resolve) ask the same questions; each answer is kept, keyed
// on everything that can change it, and checked by stat before it is used again.

import fs from "node:fs";
import type { Result } from "../findings.js";
import { type FileId, fileId, goEnvFileId, KEY_VARS, sameFile } from "../gopls/state.js";
import { GO_ENV_KEYS, type GoEnv, readGoEnv } from "./env.js";
import { type FindGoSeams, type FoundGo, findGo } from "./find.js";

/** What findGo reads besides the explicit path, platform and home. */
const FIND_VARS = ["PATH", "SHELL", "ProgramFiles", "USERPROFILE"];

/**
 * What `go env` reports depends on: the go binary, every setting it reports (each can be set by
 * a variable of its name), where it looks for defaults, and the key of the warm state. Adopted
 * settings change these values, so a session that adopts some asks again.
 */
const ENV_VARS = [...new Set([...KEY_VARS, ...GO_ENV_KEYS, "XDG_CACHE_HOME", "SHELL"])];

const found = new Map<string, Promise<Result<FoundGo>>>();
const goEnvs = new Map<string, Promise<{ env: Result<GoEnv>; go?: FileId; envFile?: FileId }>>();

function key(parts: Array<string | undefined>): string {
  return parts.map((p) => p ?? "").join("\0");
}

/** findGo, once per process for the same settings. A failure is not kept: Retry looks again. */
export async function findGoOnce(seams: FindGoSeams): Promise<Result<FoundGo>> {
  const k = key([
    seams.explicit,
    seams.platform,
    seams.homedir,
    ...FIND_VARS.map((v) => seams.env[v]),
  ]);
  const kept = found.get(k);
  if (kept) {
    const r = await kept;
    if (r.ok && fs.existsSync(r.value.path)) return r;
    if (found.get(k) === kept) found.delete(k);
  }
  const asked = findGo(seams);
  found.set(k, asked);
  const r = await asked;
  if (!r.ok && found.get(k) === asked) found.delete(k);
  return r;
}

/**
 * readGoEnv, once per process for the same go and settings, while neither the go binary nor
 * go's env file (`go env -w` writes it) has changed. Only GOMOD depends on cwd, and nothing the
 * guard decides reads it. A failure is not kept.
 */
export async function goEnvOnce(
  go: string,
  user: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Result<GoEnv>> {
  const k = key([go, ...ENV_VARS.map((v) => `${v}=${user[v] ?? ""}`)]);
  const kept = goEnvs.get(k);
  if (kept) {
    const r = await kept;
    if (r.env.ok && r.go && sameFile(r.go, go) && r.envFile && sameFile(r.envFile, r.envFile.path))
      return r.env;
    if (goEnvs.get(k) === kept) goEnvs.delete(k);
  }
  const asked = (async () => {
    const goId = fileId(go);
    const env = await readGoEnv(go, user, cwd);
    return {
      env,
      ...(goId ? { go: goId } : {}),
      ...(env.ok ? { envFile: goEnvFileId(env.value) } : {}),
    };
  })();
  goEnvs.set(k, asked);
  const r = await asked;
  if (!r.env.ok && goEnvs.get(k) === asked) goEnvs.delete(k);
  return r.env;
}

/** For tests: forget every answer. */
export function forgetGoFacts(): void {
  found.clear();
  goEnvs.clear();
}
