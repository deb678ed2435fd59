// `go env -json`, read once and typed: the settings the guard's decisions and the doctor use.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { queryEnv } from "./environment.js";
import { runGo } from "./run.js";
import { argumentsProblem, diagnoseGo, goFileKind } from "./wrapper.js";

export const GO_ENV_KEYS = [
  "GOVERSION",
  "GOROOT",
  "GOPATH",
  "GOBIN",
  "GOOS",
  "GOARCH",
  "GOHOSTOS",
  "GOHOSTARCH",
  "GOPROXY",
  "GONOPROXY",
  "GOPRIVATE",
  "GONOSUMDB",
  "GOSUMDB",
  "GOINSECURE",
  "GOFLAGS",
  "GOTOOLCHAIN",
  "GO111MODULE",
  "GOMODCACHE",
  "GOCACHE",
  "GOENV",
  "GOWORK",
  "GOMOD",
  "CGO_ENABLED",
  "GOAUTH",
] as const;

export type GoEnv = Record<(typeof GO_ENV_KEYS)[number], string>;

export function parseGoEnv(json: string): GoEnv | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const obj = raw as Record<string, unknown>;
  if (typeof obj.GOVERSION !== "string" || typeof obj.GOROOT !== "string") return undefined;
  const env = {} as GoEnv;
  for (const key of GO_ENV_KEYS)
    env[key] = typeof obj[key] === "string" ? (obj[key] as string) : "";
  return env;
}

export async function readGoEnv(
  go: string,
  user: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Result<GoEnv>> {
  const kind = goFileKind(go);
  const wrapper = kind !== "binary";
  const [r, args] = await Promise.all([
    runGo(go, ["env", "-json"], { env: queryEnv(user), cwd, timeoutMs: 15_000 }),
    // A wrapper that splits its arguments passes `go env -json` but breaks gopls: asked at once.
    wrapper ? argumentsProblem(go, user) : undefined,
  ]);
  const env = r.exitCode === 0 ? parseGoEnv(r.stdout) : undefined;
  if (env && args) return fail(await diagnoseGo(go, kind, user, { kind: "arguments", said: args }));
  if (env) return ok(env);
  // Text of a wrapper's own before go's JSON: gopls, reading the same, would fail.
  const json = r.stdout.indexOf("\n{");
  if (r.exitCode === 0 && json >= 0 && parseGoEnv(r.stdout.slice(json + 1)))
    return fail(
      await diagnoseGo(go, kind, user, { kind: "prints", said: r.stdout.slice(0, json).trim() }),
    );
  // An unwritable GOCACHE stops even `go env`. Ask again with a private one (the guard's queries
  // and its install use private caches then), and report the user's own setting.
  const cache = /failed to initialize build cache at (\S+?):/.exec(r.stderr)?.[1];
  if (cache) {
    // go creates the cache it is given: a temp dir of its own, never one in cwd (the doctor's
    // and the in-session checks' cwd is the user's workspace).
    const own = fs.mkdtempSync(path.join(os.tmpdir(), "gopls-guard-gocache-"));
    try {
      const retry = await runGo(go, ["env", "-json"], {
        env: { ...queryEnv(user), GOCACHE: own },
        cwd,
        timeoutMs: 15_000,
      });
      const again = retry.exitCode === 0 ? parseGoEnv(retry.stdout) : undefined;
      if (again) return ok({ ...again, GOCACHE: cache });
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  }
  const why =
    r.spawnError ??
    (r.timedOut ? "timed out after 15 s" : r.stderr.trim().split("\n").slice(-3).join(" | "));
  if (wrapper) return fail(await diagnoseGo(go, kind, user, { kind: "fails", said: why }));
  return fail(goBroken(go, why || `exit code ${r.exitCode}, nothing on stderr`));
}

function goBroken(go: string, why: string): Finding {
  const goroot = /cannot find GOROOT directory: (\S+)/.exec(why)?.[1];
  if (goroot) {
    return {
      id: "go.goroot_mismatch",
      severity: "error",
      message: "GOROOT points at a directory that does not exist.",
      evidence: { go, GOROOT: goroot, error: why },
      fix: "Unset GOROOT (the go command finds its own root), or point it at this Go's installation.",
    };
  }
  return {
    id: "go.missing",
    severity: "error",
    message: "The go command does not work: run `go env` in a terminal to see why.",
    evidence: { go, error: why },
    fix: "Run `go env` in a terminal to see the problem; reinstall Go from https://go.dev/dl/ if needed.",
  };
}
