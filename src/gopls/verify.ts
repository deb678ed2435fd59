// Is this file the gopls we want? `go version -m` says which main module it is, at which
// version, built by which Go for which platform. Anything else is never executed as gopls.

import { type Finding, fail, ok, type Result } from "../findings.js";
import { type BuildInfo, parseBuildInfo } from "../go/buildinfo.js";
import { queryEnv } from "../go/environment.js";
import { compareGo, formatGo, type GoVersion, parseGoVersion } from "../go/goversion.js";
import { runGo } from "../go/run.js";
import { GOPLS_MODULE } from "./layout.js";

export interface Expectation {
  /** The wanted version; undefined accepts any (an explicit binary). */
  version: string | undefined;
  localGo: GoVersion;
  hostOs: string;
  hostArch: string;
}

/** The verdict on parsed build info (pure). */
export function checkBuildInfo(
  file: string,
  info: BuildInfo | undefined,
  want: Expectation,
): Result<BuildInfo> {
  if (!info || info.path !== GOPLS_MODULE || info.module?.path !== GOPLS_MODULE) {
    return fail({
      id: "gopls.not_gopls",
      severity: "warning",
      message: "The file at the gopls path is not a gopls binary; it will not be run.",
      evidence: {
        file,
        "main module":
          info?.module?.path ?? info?.path ?? "(no Go build info: not a Go binary, or truncated)",
      },
      fix: "Remove the file, or let the guard install gopls into its managed directory.",
    });
  }
  const os = info.settings.GOOS;
  const arch = info.settings.GOARCH;
  if ((os && os !== want.hostOs) || (arch && arch !== want.hostArch)) {
    return fail({
      id: "gopls.not_gopls",
      severity: "warning",
      message: `This gopls is built for ${os}/${arch}, not this machine (${want.hostOs}/${want.hostArch}); it will not be run.`,
      evidence: { file },
      fix: "Reinstall gopls for this machine (the guard does this in its managed directory).",
    });
  }
  if (want.version && info.module.version !== want.version) {
    return fail({
      id: "gopls.wrong_version",
      severity: "info",
      message: `The installed gopls is ${info.module.version}, not the wanted ${want.version}.`,
      evidence: { file, installed: info.module.version, wanted: want.version },
      fix: `Install gopls ${want.version} (the guard does this itself).`,
    });
  }
  const builtBy = parseGoVersion(info.goVersion);
  const local = want.localGo;
  if (
    !builtBy ||
    compareGo({ ...builtBy, patch: 0, pre: "" }, { ...local, patch: 0, pre: "" }) < 0
  ) {
    return fail({
      id: "gopls.stale_build",
      severity: "info",
      message: `gopls was built with ${info.goVersion}, older than the Go in use (${formatGo(local)}); it may not understand newer language features.`,
      evidence: { file, "built with": info.goVersion, "go in use": formatGo(local) },
      fix: "Rebuild gopls with the current Go (the guard does this itself).",
    });
  }
  return ok(info);
}

export async function verifyGopls(
  go: string,
  file: string,
  want: Expectation,
  user: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Result<BuildInfo>> {
  const r = await runGo(go, ["version", "-m", file], {
    env: queryEnv(user),
    cwd,
    timeoutMs: 15_000,
  });
  const info = r.exitCode === 0 ? parseBuildInfo(r.stdout) : undefined;
  return checkBuildInfo(file, info, want);
}

export type { Finding };
