// The doctor's look at the gopls that would run: found without installing, safe to run, what
// `go version -m` says it is, and whether a different gopls comes first on PATH.

import fs from "node:fs";
import path from "node:path";
import { envValue } from "../env-lookup.js";
import type { Finding } from "../findings.js";
import { parseBuildInfo } from "../go/buildinfo.js";
import { queryEnv } from "../go/environment.js";
import { runGo } from "../go/run.js";
import { resolveGopls, resolveOptions } from "../gopls/launch.js";
import { binaryIn, parseVersionDir } from "../gopls/layout.js";
import { unsafe } from "../gopls/probe.js";
import { releasesNewestFirst } from "../gopls/versions.js";
import { statOf } from "./check-fs.js";
import type { DoctorSeams } from "./seams.js";

export interface GoplsFacts {
  path: string;
  version: string | undefined;
  source: string;
  /** From `go version -m`: the Go it was built with, and its main module. */
  builtWith?: string | undefined;
  module?: string | undefined;
}

/** What the guard would run (no install), its safety, and a different gopls earlier on PATH. */
export async function checkGopls(
  s: DoctorSeams,
  findings: Finding[],
  go: string,
): Promise<GoplsFacts | undefined> {
  const resolved = await resolveGopls(
    resolveOptions(
      s.config,
      { file: s.logFile, logger: s.logger },
      {
        env: s.env,
        platform: s.platform,
        homedir: s.homedir,
        allowInstall: false,
        goTimeoutMs: 5000,
        report: (f) => findings.push(f),
      },
    ),
  );
  if (!resolved.ok) {
    findings.push(
      resolved.finding.id === "gopls.missing" && !s.config.goplsPath
        ? {
            ...resolved.finding,
            severity: "info",
            message: `${resolved.finding.message} The guard installs it at the first start.`,
          }
        : resolved.finding,
    );
    return undefined;
  }
  const gopls = resolved.value;
  findings.push(
    ...unsafe(
      gopls.path,
      gopls.source === "managed"
        ? path.dirname(path.dirname(gopls.path))
        : path.dirname(gopls.path),
    ),
  );
  const onPath = (envValue(s.env, "PATH", s.platform) ?? "")
    .split(path.delimiter)
    .map((d) => path.join(d, s.platform === "win32" ? "gopls.exe" : "gopls"))
    .find((p) => statOf(p)?.isFile());
  if (onPath) {
    const same = (() => {
      try {
        return (
          fs.realpathSync(onPath) === fs.realpathSync(gopls.path) ||
          fs.realpathSync(onPath) === fs.realpathSync(process.argv[1] as string)
        );
      } catch {
        return false;
      }
    })();
    if (!same)
      findings.push({
        id: "gopls.path_shadow",
        severity: "info",
        message:
          "A different gopls comes first on PATH: a terminal `gopls` runs that one, not the guard's.",
        evidence: { "on PATH": onPath, "the guard runs": gopls.path },
        fix: "Nothing is broken; remove or update the other one if the difference confuses you.",
      });
  }
  const built = await runGo(go, ["version", "-m", gopls.path], {
    env: queryEnv(s.env),
    cwd: s.cwd,
    timeoutMs: 5000,
  });
  const info = built.exitCode === 0 ? parseBuildInfo(built.stdout) : undefined;
  return {
    path: gopls.path,
    version: gopls.version,
    source: gopls.source,
    builtWith: info?.goVersion,
    module: info?.module?.path ?? info?.path,
  };
}

/**
 * Without Go nothing can be verified or installed, but the doctor still says where gopls is:
 * GOPLS_GUARD_GOPLS, or the newest build in the install dir (unverified: no `go version -m`).
 */
export function goplsWithoutGo(s: DoctorSeams, why = "no Go"): GoplsFacts | undefined {
  if (s.config.goplsPath)
    return {
      path: s.config.goplsPath,
      version: undefined,
      source: `GOPLS_GUARD_GOPLS (not verified: ${why})`,
    };
  const root = s.config.installDir;
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  const byVersion = new Map<string, string>();
  for (const name of names.sort()) {
    const parsed = parseVersionDir(name);
    const bin = binaryIn(path.join(root, name), s.platform);
    if (parsed && statOf(bin)?.isFile()) byVersion.set(parsed.version, bin);
  }
  const [newest] = releasesNewestFirst([...byVersion.keys()]);
  const bin = newest && byVersion.get(newest);
  return bin ? { path: bin, version: newest, source: `managed (not verified: ${why})` } : undefined;
}
