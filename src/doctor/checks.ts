// The doctor's checks: each FAULTS.md entry it can see from here becomes findings, with the
// facts learned along the way. Checks that need the network run in parallel, each bounded.

import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { findGoOnce, goEnvOnce } from "../go/facts.js";
import { goForGoplsFound } from "../go/path-for-gopls.js";
import { loginShellProbe } from "../go/shell.js";
import { checkDirs, checkSpace } from "./check-fs.js";
import { checkGoroot, checkShellDrift, checkWsl } from "./check-go.js";
import { checkGopls, type GoplsFacts, goplsWithoutGo } from "./check-gopls.js";
import { checkSettings } from "./check-settings.js";
import { confirmWithGo, goReachesProxy } from "./confirm.js";
import { type ProbeResult, probeProxy } from "./probe-proxy.js";
import { probeSumdb, type SumdbProbe } from "./probe-sumdb.js";
import type { DoctorSeams } from "./seams.js";

export { type DoctorSeams, processSeams } from "./seams.js";

export interface Facts {
  guard: { version: string; home: string; configFile: string; installDir: string; log: string };
  go?: {
    path: string;
    source: string;
    version: string;
    env: Partial<GoEnv>;
    /** The PATH gopls is given so that its go is this one; absent when the editor's PATH does. */
    goplsPATH?: string;
  };
  gopls?: GoplsFacts | undefined;
  probes: ProbeResult[];
  sumdb?: SumdbProbe | undefined;
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
  const loginShell = loginShellProbe(s.env.SHELL);
  const found = await findGoOnce({
    explicit: s.config.goPath,
    env: s.env,
    platform: s.platform,
    homedir: s.homedir,
    loginShell,
  });
  if (!found.ok) {
    facts.gopls = goplsWithoutGo(s);
    return { findings: [found.finding], facts };
  }
  // What gopls will see: the same PATH a session gives it.
  const forGopls = await goForGoplsFound(found.value, s.env, s.platform, loginShell);
  if (forGopls.notice) findings.push(forGopls.notice);
  const goEnv = await goEnvOnce(found.value.path, s.env, s.cwd);
  if (!goEnv.ok) {
    // A go that exists but does not work is not "not found", nor are the builds already there.
    facts.go = { path: found.value.path, source: found.value.source, version: "unknown", env: {} };
    facts.gopls = goplsWithoutGo(s, "go does not work");
    return { findings: [...findings, goEnv.finding], facts };
  }
  const ge = goEnv.value;
  facts.go = {
    path: found.value.path,
    source: found.value.source,
    version: ge.GOVERSION,
    env: Object.fromEntries(SHOWN_ENV.map((k) => [k, ge[k]])),
  };
  if (forGopls.PATH) facts.go.goplsPATH = forGopls.PATH;
  findings.push(
    ...checkGoroot(s, found.value.path, ge),
    ...checkWsl(s, found.value.path, ge),
    ...checkSettings(ge, s.cwd, s.env),
    ...checkDirs(s, ge),
    ...checkSpace(s, ge),
  );
  findings.push(...(await checkShellDrift(s)));
  const goplsFindings: Finding[] = [];
  const goplsChecked = options.gopls
    ? checkGopls(s, goplsFindings, found.value.path)
    : Promise.resolve(undefined);
  const pinned = s.config.goplsVersion === "latest" ? undefined : s.config.goplsVersion;
  // go's own answer, asked alongside the probe, within the same bound: the judge of its findings.
  const goAnswer = probesProxy(ge) ? goReachesProxy(found.value.path, s.env, ge, 5000) : undefined;
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
  const confirmed = await confirmWithGo(
    [...probes, ...(sumdb ? [sumdb] : [])].flatMap((p) => (p.finding ? [p.finding] : [])),
    () => goAnswer ?? Promise.resolve({ reached: false, said: "" }),
  );
  for (const f of confirmed.refuted)
    s.logger.warn({ event: "probe.refuted", finding: f }, "go reaches the proxy: not reported");
  const probed = confirmed.findings;
  // The probe says precisely what is wrong with the network; go's own failure would say it again, vaguer.
  const network = (f: Finding) =>
    /^(proxy|sumdb)\./.test(f.id) ||
    (f.id === "install.failed" && /did not finish in time/.test(f.message));
  findings.push(...probed, ...goplsFindings.filter((f) => !(probed.length && network(f))));
  return { findings, facts };
}

/** The first proxy go asks, when it is one the doctor probes (not direct, not off). */
function probesProxy(ge: GoEnv): string | undefined {
  const first = ge.GOPROXY.split(/[,|]/)[0]?.trim() ?? "";
  return /^https?:\/\//.test(first) ? first : undefined;
}

async function probeAll(s: DoctorSeams, ge: GoEnv): Promise<ProbeResult[]> {
  const first = probesProxy(ge);
  return first ? [await probeProxy(first, s.env, 5000)] : [];
}
