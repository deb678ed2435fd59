// The two environments the guard runs go with, built here and nowhere else: the query
// environment (the user's, but never switching toolchains) and the install environment
// (cleaned of what breaks `go install pkg@version`), with a record of what was overridden.

import type { GoEnv } from "./env.js";

/** For `go env`, `go list -m`, `go version -m`: the user's settings, no toolchain download. */
export function queryEnv(user: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...user, GOTOOLCHAIN: "local", GOWORK: "off" };
}

export interface InstallEnv {
  env: NodeJS.ProcessEnv;
  /** What was changed from the user's effective settings, as "NAME=old → new". */
  overrides: string[];
}

/** GOFLAGS without -mod=..., which `go install pkg@version` rejects. */
export function stripModFlag(goflags: string): string {
  return goflags
    .split(/\s+/)
    .filter((f) => f && !/^--?mod(=|$)/.test(f))
    .join(" ");
}

export function installEnv(user: NodeJS.ProcessEnv, go: GoEnv, gobin: string): InstallEnv {
  const overrides: string[] = [];
  const set = (env: NodeJS.ProcessEnv, name: string, effective: string, wanted: string) => {
    if (effective !== wanted)
      overrides.push(`${name}=${effective || "(empty)"} → ${wanted || "(empty)"}`);
    env[name] = wanted;
  };
  const env: NodeJS.ProcessEnv = { ...user, GOBIN: gobin };
  set(env, "GO111MODULE", go.GO111MODULE, "on");
  set(env, "GOWORK", user.GOWORK ?? "", "off");
  set(env, "GOFLAGS", go.GOFLAGS, stripModFlag(go.GOFLAGS));
  set(env, "GOOS", go.GOOS, go.GOHOSTOS);
  set(env, "GOARCH", go.GOARCH, go.GOHOSTARCH);
  set(env, "GOTOOLCHAIN", go.GOTOOLCHAIN, "local");
  return {
    env,
    overrides: overrides.filter(
      (o) =>
        !o.startsWith("GOWORK=(empty)") &&
        !o.startsWith("GOTOOLCHAIN=auto") &&
        !o.startsWith("GO111MODULE=(empty)"),
    ),
  };
}

/**
 * For `go build` of the guard's launcher: the user's settings (proxy, caches), but nothing that
 * changes what is built (GOFLAGS, a workspace, a toolchain switch, cgo); GOOS/GOARCH empty means
 * the host's, so a user's cross-compiling settings never produce a launcher that cannot run.
 */
export function launcherBuildEnv(
  user: NodeJS.ProcessEnv,
  platform: { goos?: string; goarch?: string } = {},
): NodeJS.ProcessEnv {
  return {
    ...user,
    GOFLAGS: "",
    GOWORK: "off",
    GO111MODULE: "on",
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
    GOOS: platform.goos ?? "",
    GOARCH: platform.goarch ?? "",
  };
}
