// One bounded probe of the checksum database go would consult for gopls: through the first
// module proxy when it proxies the database ({proxy}/sumdb/NAME/supported), else GOSUMDB's
// own URL, as cmd/go chooses. With a gopls version at hand it also asks the database for that
// version's go.mod hash and compares it with the go.mod the proxy serves: a different file is
// a tampering proxy or a corrupt mirror, seen before any install fails on it.

import crypto from "node:crypto";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { matchPrefixPatterns } from "../go/patterns.js";
import { proxyFor, readCaFile, request, unreachable } from "./probe-proxy.js";

const GOPLS = "golang.org/x/tools/gopls";

export interface SumdbProbe {
  GOSUMDB: string;
  url: string;
  through: "proxy" | "direct";
  ms: number;
  status?: number;
  error?: string;
  /** The gopls version whose go.mod hash was compared, and the verdict. */
  compared?: { version: string; same: boolean };
  finding?: Finding;
}

/** GOSUMDB's name and URL: "name[+key] [url]", the URL defaulting to https://name. */
export function sumdbAddress(gosumdb: string): { name: string; url: string } | undefined {
  const value = gosumdb.trim() || "sum.golang.org";
  if (value === "off") return undefined;
  const [nameKey = "", url] = value.split(/\s+/);
  const name = nameKey.split("+")[0] as string;
  return { name, url: (url ?? `https://${name}`).replace(/\/$/, "") };
}

/** The h1: hash go records for a go.mod file (dirhash.Hash1 over the one file "go.mod"). */
export function goModHash(data: string | Buffer): string {
  const sha = (b: string | Buffer) => crypto.createHash("sha256").update(b);
  const summary = `${sha(data).digest("hex")}  go.mod\n`;
  return `h1:${sha(summary).digest("base64")}`;
}

const FIX_UNREACHABLE =
  "Use a proxy that also serves the checksum database (e.g. `go env -w GOPROXY=https://goproxy.cn,direct`) or `go env -w GOSUMDB=sum.golang.google.cn`; for private modules, GOPRIVATE/GONOSUMDB. Do not set GOSUMDB=off for public modules.";

export async function probeSumdb(
  ge: Pick<GoEnv, "GOSUMDB" | "GONOSUMDB" | "GOPRIVATE" | "GOPROXY">,
  env: NodeJS.ProcessEnv,
  goplsVersion: Promise<string | undefined>,
  timeoutMs = 5000,
): Promise<SumdbProbe | undefined> {
  const db = sumdbAddress(ge.GOSUMDB);
  const proxy = (ge.GOPROXY.split(/[,|]/)[0] ?? "").trim().replace(/\/$/, "");
  // No downloads (GOPROXY=off), or none verified: go would not ask the database.
  if (!db || proxy === "off" || matchPrefixPatterns(ge.GONOSUMDB || ge.GOPRIVATE, GOPLS))
    return undefined;
  const started = Date.now();
  const ca = readCaFile(env);
  const get = (url: string) => {
    const u = new URL(url);
    return request(u, proxyFor(u, env), Math.max(500, started + timeoutMs - Date.now()), ca);
  };
  const result: SumdbProbe = { GOSUMDB: ge.GOSUMDB, url: db.url, through: "direct", ms: 0 };
  const evidence = () => ({
    GOSUMDB: ge.GOSUMDB || "sum.golang.org",
    asked: result.url,
    ...(result.through === "proxy" ? { "served by": proxy } : {}),
  });
  const done = () => {
    result.ms = Date.now() - started;
    return result;
  };
  if (/^https?:\/\//.test(proxy)) {
    try {
      const r = await get(`${proxy}/sumdb/${db.name}/supported`);
      if (r.status === 200) {
        result.url = `${proxy}/sumdb/${db.name}`;
        result.through = "proxy";
      }
    } catch (error) {
      // go stops here too; the proxy's own probe says what is wrong with it.
      result.error = `${(error as NodeJS.ErrnoException).code ?? ""} via ${proxy}`.trim();
      return done();
    }
  }
  try {
    const r = await get(`${result.url}/latest`);
    result.status = r.status;
    if (r.status !== 200 || !/^go\.sum database tree\n/.test(r.body)) {
      result.finding = {
        id: "sumdb.unreachable",
        severity: "error",
        message: `The checksum database does not answer as one: HTTP ${r.status}, ${r.contentType || "no content type"} (a proxy or firewall in between, typically).`,
        evidence: { ...evidence(), answer: r.body.replace(/\s+/g, " ").slice(0, 80) },
        fix: FIX_UNREACHABLE,
      };
      return done();
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    result.error = `${e.code ?? ""} ${e.message}`.trim();
    result.finding = {
      id: "sumdb.unreachable",
      severity: "error",
      message: `The checksum database ${result.url} ${unreachable(e)}, so go cannot verify gopls's modules.`,
      evidence: { ...evidence(), error: result.error },
      fix: FIX_UNREACHABLE,
    };
    return done();
  }
  const version = await goplsVersion;
  if (version && /^https?:\/\//.test(proxy)) {
    try {
      const [lookup, mod] = await Promise.all([
        get(`${result.url}/lookup/${GOPLS}@${version}`),
        get(`${proxy}/${GOPLS}/@v/${version}.mod`),
      ]);
      const line = new RegExp(
        `^${GOPLS} ${version.replace(/\./g, "\\.")}/go\\.mod (h1:\\S+)$`,
        "m",
      );
      const vouched = line.exec(lookup.body)?.[1];
      if (lookup.status === 200 && mod.status === 200 && vouched) {
        const served = goModHash(mod.body);
        result.compared = { version, same: served === vouched };
        if (served !== vouched)
          result.finding = {
            id: "sumdb.mismatch",
            severity: "error",
            message: `The module proxy serves a go.mod for gopls ${version} that differs from what the checksum database vouches for: a tampering proxy or a corrupt mirror.`,
            evidence: {
              ...evidence(),
              GOPROXY: proxy,
              "checksum database": vouched,
              "the proxy's go.mod": served,
            },
            fix: "Do not turn verification off. Use a module proxy you trust (`go env -w GOPROXY=https://proxy.golang.org,direct`), tell its operator, and run `go clean -modcache` if the module cache may hold its downloads.",
          };
      }
    } catch {
      // Reachability is what this probe answers for; a failed comparison is no finding.
    }
  }
  return done();
}
