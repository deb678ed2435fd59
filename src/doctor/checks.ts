// The doctor's checks: each FAULTS.md entry it can see from here becomes findings, with the
// facts learned along the way. Checks that need the network run in parallel, each bounded.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../config.js";
import type { Finding } from "../findings.js";
import { parseBuildInfo } from "../go/buildinfo.js";
import type { GoEnv } from "../go/env.js";
import { readGoEnv } from "../go/env.js";
import { queryEnv } from "../go/environment.js";
import { findGo } from "../go/find.js";
import { matchPrefixPatterns } from "../go/patterns.js";
import { runGo } from "../go/run.js";
import { loginShellProbe } from "../go/shell.js";
import { resolveGopls } from "../gopls/launch.js";
import { probeWritable, unsafe } from "../gopls/probe.js";
import type { Logger } from "../log.js";
import { type ProbeResult, probeProxy } from "./probe-proxy.js";
import { probeSumdb, type SumdbProbe } from "./probe-sumdb.js";

export interface Facts {
  guard: { version: string; home: string; configFile: string; installDir: string; log: string };
  go?: { path: string; source: string; version: string; env: Partial<GoEnv> };
  gopls?:
    | {
        path: string;
        version: string | undefined;
        source: string;
        /** From `go version -m`: the Go it was built with, and its main module. */
        builtWith?: string | undefined;
        module?: string | undefined;
      }
    | undefined;
  probes: ProbeResult[];
  sumdb?: SumdbProbe | undefined;
}

export interface DoctorSeams {
  config: Config;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  cwd: string;
  logger: Logger;
  logFile: string;
  /** /proc/version, for WSL. */
  procVersion: () => string;
}

/** The seams of this process: its environment, platform, home and working directory. */
export function processSeams(config: Config, logger: Logger, logFile: string): DoctorSeams {
  return {
    config,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    cwd: process.cwd(),
    logger,
    logFile,
    procVersion: () => {
      try {
        return fs.readFileSync("/proc/version", "utf8");
      } catch {
        return "";
      }
    },
  };
}

const SHOWN_ENV: Array<keyof GoEnv> = [
  "GOVERSION",
  "GOROOT",
  "GOPATH",
  "GOBIN",
  "GOPROXY",
  "GONOPROXY",
  "GOPRIVATE",
  "GONOSUMDB",
  "GOSUMDB",
  "GOFLAGS",
  "GOTOOLCHAIN",
  "GO111MODULE",
  "GOOS",
  "GOARCH",
  "GOHOSTOS",
  "GOHOSTARCH",
  "GOMODCACHE",
  "GOCACHE",
  "GOWORK",
  "GOMOD",
];

/**
 * gopls: also resolve the gopls that would run (the doctor); a serving session already has, and
 * passes the version it runs as goplsVersion.
 */
export async function runChecks(
  s: DoctorSeams,
  guardVersion: string,
  options: { gopls: boolean; goplsVersion?: string | undefined } = { gopls: true },
): Promise<{ findings: Finding[]; facts: Facts }> {
  const findings: Finding[] = [];
  const facts: Facts = {
    guard: {
      version: guardVersion,
      home: s.config.home,
      configFile: s.config.configFile,
      installDir: s.config.installDir,
      log: s.logFile,
    },
    probes: [],
  };
  const found = await findGo({
    explicit: s.config.goPath,
    env: s.env,
    platform: s.platform,
    homedir: s.homedir,
    loginShell: loginShellProbe(s.env.SHELL),
  });
  if (!found.ok) return { findings: [found.finding], facts };
  if (found.value.warning) findings.push(found.value.warning);
  const goEnv = await readGoEnv(found.value.path, s.env, s.cwd);
  if (!goEnv.ok) return { findings: [...findings, goEnv.finding], facts };
  const ge = goEnv.value;
  facts.go = {
    path: found.value.path,
    source: found.value.source,
    version: ge.GOVERSION,
    env: Object.fromEntries(SHOWN_ENV.map((k) => [k, ge[k]])),
  };
  findings.push(
    ...checkGoroot(s, found.value.path, ge),
    ...checkWsl(s, found.value.path, ge),
    ...checkSettings(ge, s.cwd),
    ...checkDirs(s, ge),
    ...checkSpace(s, ge),
  );
  findings.push(...(await checkShellDrift(s)));
  const goplsFindings: Finding[] = [];
  const goplsChecked = options.gopls
    ? checkGopls(s, goplsFindings, found.value.path)
    : Promise.resolve(undefined);
  const pinned = s.config.goplsVersion === "latest" ? undefined : s.config.goplsVersion;
  const [gopls, probes, sumdb] = await Promise.all([
    goplsChecked,
    probeAll(s, ge),
    probeSumdb(
      ge,
      s.env,
      goplsChecked.then((g) => options.goplsVersion ?? g?.version ?? pinned),
      5000,
    ),
  ]);
  facts.gopls = gopls;
  facts.probes = probes;
  facts.sumdb = sumdb;
  const probed = [...probes, ...(sumdb ? [sumdb] : [])].flatMap((p) =>
    p.finding ? [p.finding] : [],
  );
  // The probe says precisely what is wrong with the network; go's own failure would say it again, vaguer.
  const network = (f: Finding) =>
    /^(proxy|sumdb)\./.test(f.id) ||
    (f.id === "install.failed" && /did not finish in time/.test(f.message));
  findings.push(...probed, ...goplsFindings.filter((f) => !(probed.length && network(f))));
  return { findings, facts };
}

function checkGoroot(s: DoctorSeams, go: string, ge: GoEnv): Finding[] {
  const set = s.env.GOROOT;
  if (!set) return [];
  let own = "";
  try {
    own = path.dirname(path.dirname(fs.realpathSync(go)));
  } catch {
    return [];
  }
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  if (real(set) === real(own)) return [];
  return [
    {
      id: "go.goroot_mismatch",
      severity: "error",
      message: "GOROOT is set to a directory that is not this go's own installation.",
      evidence: { GOROOT: set, "go binary": go, "its root": own, "go env GOROOT": ge.GOROOT },
      fix: "Unset GOROOT (the go command finds its own root): remove it from your shell profile or the editor's environment.",
    },
  ];
}

function checkWsl(s: DoctorSeams, go: string, ge: GoEnv): Finding[] {
  const wsl =
    s.platform === "linux" &&
    (Boolean(s.env.WSL_DISTRO_NAME) || /microsoft|wsl/i.test(s.procVersion()));
  if (!wsl) return [];
  const out: Finding[] = [];
  if (
    go.startsWith("/mnt/") ||
    /\.exe$/i.test(go) ||
    ge.GOOS === "windows" ||
    ge.GOROOT.startsWith("/mnt/") ||
    ge.GOPATH.startsWith("/mnt/")
  ) {
    out.push({
      id: "go.wsl_windows_go",
      severity: "warning",
      message:
        "Under WSL the Go in use is the Windows one (or lives on the Windows drive): builds target Windows or crawl across the 9P bridge.",
      evidence: { go, GOOS: ge.GOOS, GOROOT: ge.GOROOT, GOPATH: ge.GOPATH },
      fix: "Install Linux Go inside WSL (https://go.dev/dl/, the linux-amd64 tarball into /usr/local/go) and put it first on PATH.",
    });
  }
  if (s.cwd.startsWith("/mnt/")) {
    out.push({
      id: "go.wsl_windows_go",
      severity: "info",
      message: "The workspace lives on the Windows drive (/mnt/...): file access from WSL is slow.",
      evidence: { workspace: s.cwd },
      fix: "Keep Go workspaces in the Linux file system (~/src/...).",
    });
  }
  return out;
}

/** Variables that change what go and gopls do, compared between the login shell and the editor. */
const DRIFT_VARS = [
  "GOPROXY",
  "GOPRIVATE",
  "GONOPROXY",
  "GONOSUMDB",
  "GOSUMDB",
  "GOFLAGS",
  "GOPATH",
  "GOROOT",
  "GOTOOLCHAIN",
  "GOINSECURE",
  "GOAUTH",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/** go.shell_env_drift: the terminal's Go settings are not the editor's. */
async function checkShellDrift(s: DoctorSeams): Promise<Finding[]> {
  const shell = await loginShellProbe(s.env.SHELL)();
  if (!shell) return [];
  const differ = DRIFT_VARS.filter((v) => (shell.env[v] ?? "") !== (s.env[v] ?? ""));
  if (differ.length === 0) return [];
  // What the shell sets can be adopted; what only the editor sets stays the editor's business.
  const adopt = Object.fromEntries(
    differ.flatMap((v) => (shell.env[v] ? [[v, shell.env[v] as string]] : [])),
  );
  const show = (v: string | undefined) => (v === undefined || v === "" ? "(unset)" : v);
  return [
    {
      id: "go.shell_env_drift",
      severity: "warning",
      message: `Your login shell sets Go settings the editor does not have, so gopls behaves differently from go in a terminal: ${differ.join(", ")}.`,
      evidence: Object.fromEntries(
        differ.map((v) => [v, `shell ${show(shell.env[v])}, editor ${show(s.env[v])}`]),
      ),
      fix: "Set them where the editor gets its environment too (e.g. `go env -w NAME=value` for GO* settings, which every go reads), or start the editor from that shell.",
      ...(Object.keys(adopt).length ? { adopt } : {}),
    },
  ];
}

/** The nearest file of that name in dir or a parent, as the go command finds go.work and go.mod. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (statOf(path.join(d, name))?.isFile()) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

function checkSettings(ge: GoEnv, cwd: string): Finding[] {
  const out: Finding[] = [];
  const goprox = ge.GOPROXY.trim();
  const covers = (patterns: string) => matchPrefixPatterns(patterns, "golang.org/x/tools/gopls");
  if (goprox === "off")
    out.push({
      id: "proxy.off",
      severity: "error",
      message:
        "GOPROXY=off: the go command may not download modules, so gopls cannot be installed.",
      evidence: { GOPROXY: ge.GOPROXY },
      fix: "`go env -w GOPROXY=https://proxy.golang.org,direct` (or your organisation's proxy), or install gopls yourself and set GOPLS_GUARD_GOPLS.",
    });
  if (/(^|\s)-mod=vendor/.test(ge.GOFLAGS))
    out.push({
      id: "proxy.off",
      severity: "warning",
      message:
        "GOFLAGS=-mod=vendor makes go use vendored modules only; the guard removes it for the gopls install.",
      evidence: { GOFLAGS: ge.GOFLAGS },
      fix: "Set -mod=vendor per project (vendor/ directories turn it on by themselves) rather than in GOFLAGS.",
    });
  if (covers(ge.GONOPROXY) || covers(ge.GOPRIVATE))
    out.push({
      id: "proxy.off",
      severity: "warning",
      message:
        "GONOPROXY/GOPRIVATE cover golang.org/x: gopls is fetched directly from its origin, not through the proxy.",
      evidence: { GONOPROXY: ge.GONOPROXY, GOPRIVATE: ge.GOPRIVATE },
      fix: "Narrow GOPRIVATE/GONOPROXY to your own module paths.",
    });
  const interference: string[] = [];
  if (ge.GO111MODULE === "off") interference.push("GO111MODULE=off");
  if (/(^|\s)--?mod=/.test(ge.GOFLAGS)) interference.push(`GOFLAGS=${ge.GOFLAGS}`);
  if (ge.GOOS !== ge.GOHOSTOS || ge.GOARCH !== ge.GOHOSTARCH)
    interference.push(`GOOS/GOARCH=${ge.GOOS}/${ge.GOARCH}`);
  // go env runs with GOWORK=off from an empty directory, so look where the user is.
  const work = findUp(cwd, "go.work");
  const mod = findUp(cwd, "go.mod");
  if (work) interference.push(`go.work at ${work}`);
  if (mod) interference.push(`go.mod at ${mod}`);
  if (interference.length)
    out.push({
      id: "install.env_interference",
      severity: "info",
      message:
        "These settings would break `go install pkg@version`; the guard installs gopls from an empty directory with them overridden.",
      evidence: { settings: interference.join(", ") },
      fix: "Nothing to do for the guard; for your own installs, run them outside a module with GO111MODULE=on.",
    });
  return out;
}

function checkDirs(s: DoctorSeams, ge: GoEnv): Finding[] {
  const out: Finding[] = [];
  const perUser = path.join(s.config.home, "gopls");
  if (s.config.installDir !== perUser) {
    const p = probeWritable(s.config.installDir, s.platform);
    if (p) out.push({ ...p, message: `${p.message} The guard falls back to ${perUser}.` });
  }
  for (const [name, dir] of [
    ["GOCACHE", ge.GOCACHE],
    ["GOMODCACHE", ge.GOMODCACHE],
  ] as const) {
    if (!dir || dir === "off") continue;
    const p = probeWritable(dir);
    if (!p) continue;
    const st = statOf(dir);
    const modeAllows =
      st && (st.uid === process.getuid?.() ? (st.mode & 0o200) !== 0 : (st.mode & 0o002) !== 0);
    out.push({
      id: "fs.cache_unwritable",
      severity: "warning",
      message: `${name} (${dir}) is not writable; the guard builds gopls with a private cache instead.`,
      evidence: { ...p.evidence, [name]: dir },
      fix: modeAllows
        ? `The mode bits allow the write, so a security module is the likely cause: check \`ausearch -m avc -ts recent\` (SELinux) or \`dmesg | grep -i apparmor\`, and \`ls -Z ${dir}\`.`
        : `Make ${dir} writable (\`sudo chown -R $USER ${dir}\`), or point ${name} elsewhere (\`go env -w ${name}=...\`).`,
    });
  }
  const me = process.getuid?.();
  for (const dir of [s.config.home, ge.GOPATH.split(path.delimiter)[0] ?? ""]) {
    const st = dir ? statOf(dir) : undefined;
    if (st && me !== undefined && st.uid !== me)
      out.push({
        id: "fs.foreign_owner",
        severity: "warning",
        message: `${dir} belongs to another user (uid ${st.uid}), typically after running the editor or go once with sudo.`,
        evidence: { dir, owner: `uid ${st.uid}`, you: `uid ${me}` },
        fix: `\`sudo chown -R $(id -un): ${dir}\``,
      });
  }
  return out;
}

/**
 * What a gopls build writes, in MiB, from cold caches (gopls v0.23.0 measured: 383 MiB of build
 * cache, ~50 of module downloads, a 41 MiB binary, twice while staged beside the last one).
 */
const BUILD_NEEDS_MIB = { GOCACHE: 400, GOMODCACHE: 60, install: 100 };

/** The nearest directory of a path that exists (the one whose file system a write would use). */
function existingAncestor(p: string): string | undefined {
  for (let d = path.resolve(p); ; d = path.dirname(d)) {
    if (statOf(d)?.isDirectory()) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** fs.no_space before a build fails on it: free space where gopls's build writes (statfs). */
function checkSpace(s: DoctorSeams, ge: GoEnv): Finding[] {
  const byDevice = new Map<number, { dir: string; free: number; need: number; uses: string[] }>();
  for (const [use, dir, need] of [
    ["GOCACHE", ge.GOCACHE, BUILD_NEEDS_MIB.GOCACHE],
    ["GOMODCACHE", ge.GOMODCACHE, BUILD_NEEDS_MIB.GOMODCACHE],
    ["the install directory", s.config.installDir, BUILD_NEEDS_MIB.install],
  ] as const) {
    if (!dir || dir === "off") continue;
    const at = existingAncestor(dir);
    const st = at ? statOf(at) : undefined;
    if (!at || !st) continue;
    let free: number;
    try {
      const fsStat = fs.statfsSync(at);
      free = (fsStat.bavail * fsStat.bsize) / 2 ** 20;
    } catch {
      continue;
    }
    const seen = byDevice.get(st.dev);
    if (seen) {
      seen.need += need;
      seen.uses.push(`${use} (${dir})`);
    } else byDevice.set(st.dev, { dir: at, free, need, uses: [`${use} (${dir})`] });
  }
  return [...byDevice.values()]
    .filter((d) => d.free < d.need)
    .map((d) => ({
      id: "fs.no_space",
      severity: "warning",
      message: `Only ${Math.floor(d.free)} MiB are free where gopls's build writes; a build needs about ${d.need} MiB there, so an install (or an update) would fail.`,
      evidence: {
        "file system of": d.dir,
        free: `${Math.floor(d.free)} MiB`,
        "written there": d.uses.join(", "),
      },
      fix: "Free some space (`go clean -cache` empties the build cache, which refills as needed), or point GOCACHE/GOPLS_GUARD_INSTALL_DIR at a disk with room.",
    }));
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** What the guard would run (no install), its safety, and a different gopls earlier on PATH. */
async function checkGopls(
  s: DoctorSeams,
  findings: Finding[],
  go: string,
): Promise<Facts["gopls"]> {
  const resolved = await resolveGopls({
    config: s.config,
    env: s.env,
    platform: s.platform,
    homedir: s.homedir,
    logFile: s.logFile,
    logger: s.logger,
    allowInstall: false,
    goTimeoutMs: 5000,
    report: (f) => findings.push(f),
  });
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
  const onPath = (s.env.PATH ?? "")
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

async function probeAll(s: DoctorSeams, ge: GoEnv): Promise<ProbeResult[]> {
  const first = ge.GOPROXY.split(/[,|]/)[0]?.trim() ?? "";
  if (!/^https?:\/\//.test(first)) return [];
  return [await probeProxy(first, s.env, 5000)];
}
