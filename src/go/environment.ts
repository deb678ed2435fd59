// The two environments the guard runs go with, built here and nowhere else: the query
// environment (the user's, but never switching toolchains) and the install environment
// (cleaned of what breaks `go install pkg@version`), with a record of what was overridden.

import type { GoEnv } from "./env.js";

/**
 * For `go env`, `go list -m`, `go version -m`: the user's settings, no toolchain download. Given
 * go's effective settings, also cleaned of what breaks the guard's own queries about gopls's
 * module (`-mod=vendor` in GOFLAGS: "can't determine available versions using the vendor
 * directory"; GO111MODULE=off), as the install is.
 */
export function queryEnv(
  user: NodeJS.ProcessEnv,
  go?: Pick<GoEnv, "GOFLAGS" | "GO111MODULE">,
): NodeJS.ProcessEnv {
  const env = { ...user, GOTOOLCHAIN: "local", GOWORK: "off" };
  if (!go) return env;
  return {
    ...env,
    GOFLAGS: overriding(stripModFlag(user.GOFLAGS || go.GOFLAGS)),
    GO111MODULE: "on",
  };
}

export interface InstallEnv {
  env: NodeJS.ProcessEnv;
  /** What was changed from the user's effective settings, as "NAME=old → new". */
  overrides: string[];
}

/**
 * GOFLAGS as a variable that wins over go's env file: an empty variable counts as unset, and go
 * would fall back to the file's -mod=vendor; a blank one is a setting with no flags.
 */
function overriding(goflags: string): string {
  return goflags || " ";
}

/**
 * GOFLAGS without the module-mode flags that apply to a main module and not to the guard's own
 * commands: -mod=... (`go install pkg@version` rejects it) and -modfile=... ("-modfile cannot be
 * used to set the module root directory" for `go list -m` outside a module). gopls keeps them.
 */
export function stripModFlag(goflags: string): string {
  return goflags
    .split(/\s+/)
    .filter((f) => f && !/^--?mod(file)?(=|$)/.test(f))
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
  env.GOFLAGS = overriding(env.GOFLAGS ?? "");
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
