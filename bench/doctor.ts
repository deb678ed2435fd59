// `gopls-guard doctor` as a first-run check: how long it takes with everything reachable (a
// module proxy and a checksum database on 127.0.0.1, and the real proxy.golang.org and
// sum.golang.org when this machine reaches them), and in the worst cases the probes are
// bounded for: a proxy and a checksum database that accept connections and never answer.

import { execFile } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { startGoProxy } from "../test/helpers/goproxy.js";
import { startSumDB } from "../test/helpers/sumdb.js";
import { median, nowMs } from "./client.js";

const run = promisify(execFile);

async function timeDoctor(
  guard: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; ids: string[] }> {
  const t = nowMs();
  const out = await run(guard, ["doctor", "--json"], { env }).catch((e: { stdout: string }) => e);
  const ms = nowMs() - t;
  const report = JSON.parse(out.stdout) as { findings: Array<{ id: string; severity: string }> };
  return { ms, ids: report.findings.filter((f) => f.severity === "error").map((f) => f.id) };
}

export interface DoctorFigures {
  localHealthy: number;
  realHealthy: number | undefined;
  proxyHangs: number;
  sumdbHangs: number;
  errors: Record<string, string[]>;
}

export async function doctor(
  guardCmd: string[],
  env: NodeJS.ProcessEnv,
  scratch: string,
): Promise<DoctorFigures> {
  const guard = guardCmd[0] as string;
  const proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  const db = await startSumDB(proxy.url);
  const hang = net.createServer(() => {});
  await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
  const hangUrl = `http://127.0.0.1:${(hang.address() as net.AddressInfo).port}`;
  const base = {
    ...env,
    GOPLS_GUARD_HOME: path.join(scratch, "doctor-home"),
    GOPLS_GUARD_CONFIG: path.join(scratch, "doctor-config.json"),
    GOFLAGS: "",
  };
  const local = {
    ...base,
    GOPROXY: proxy.url,
    GOSUMDB: db.gosumdb,
    GONOSUMDB: "",
    GOPRIVATE: "",
    GOPLS_GUARD_GOPLS_VERSION: "v0.1.0",
    GOPATH: path.join(scratch, "doctor-gopath"),
    GOMODCACHE: path.join(scratch, "doctor-modcache"),
  };
  const errors: Record<string, string[]> = {};
  const times = async (name: string, e: NodeJS.ProcessEnv, runs: number) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await timeDoctor(guard, e);
      ms.push(r.ms);
      errors[name] = r.ids;
    }
    return median(ms);
  };
  try {
    await timeDoctor(guard, local); // warm the page cache
    const localHealthy = await times("local", local, 7);
    const reachable = await timeDoctor(guard, { ...base, GOPLS_GUARD_GOPLS_VERSION: "v0.23.0" });
    const realHealthy = reachable.ids.length
      ? undefined
      : await times("real", { ...base, GOPLS_GUARD_GOPLS_VERSION: "v0.23.0" }, 5);
    const proxyHangs = await times("proxy hangs", { ...local, GOPROXY: hangUrl }, 2);
    const sumdbHangs = await times("sumdb hangs", { ...local, GOSUMDB: `${db.key} ${hangUrl}` }, 2);
    return { localHealthy, realHealthy, proxyHangs, sumdbHangs, errors };
  } finally {
    db.close();
    await proxy.close();
    hang.close();
  }
}
