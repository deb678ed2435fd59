// One bounded probe of the checksum database go would consult for gopls, found as cmd/go finds
// it: GOSUMDB's explicit URL if it has one (sum.golang.google.cn is sum.golang.org at that
// address), else the first proxy in GOPROXY that answers {proxy}/sumdb/NAME/supported (404 and
// 410, or any failure after a "|", move on to the next), else https://NAME. With a gopls version
// at hand it also asks the database for that version's go.mod hash and compares it with the
// go.mod the proxy serves: a different file is a tampering proxy or a corrupt mirror, seen
// before any install fails on it. Everything within timeoutMs.

import crypto from "node:crypto";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { matchPrefixPatterns } from "../go/patterns.js";
import { sumdbAddress } from "../go/sumdb.js";
import { proxyFor, request } from "./http.js";
import { unreachable } from "./probe-proxy.js";
import { goTrustedRoots } from "./trust.js";

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

/** GOPROXY's entries, each with whether go falls back to the next on any error ("|" after it). */
export function proxyList(goproxy: string): Array<{ url: string; fallBackOnErr: boolean }> {
  const out: Array<{ url: string; fallBackOnErr: boolean }> = [];
  let rest = goproxy.trim();
  while (rest) {
    const at = rest.search(/[,|]/);
    const url = (at < 0 ? rest : rest.slice(0, at)).trim().replace(/\/$/, "");
    if (url) out.push({ url, fallBackOnErr: at >= 0 && rest[at] === "|" });
    rest = at < 0 ? "" : rest.slice(at + 1);
  }
  return out;
}

/** The h1: hash go records for a go.mod file (dirhash.Hash1 over the one file "go.mod"). */
export function goModHash(data: string | Buffer): string {
  const sha = (b: string | Buffer) => crypto.createHash("sha256").update(b);
  const summary = `${sha(data).digest("hex")}  go.mod\n`;
  return `h1:${sha(summary).digest("base64")}`;
}

/** A module version as it appears in URLs (module.EscapeVersion: upper case as !lower). */
const escapeVersion = (v: string) => v.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const FIX_UNREACHABLE =
  "Use a proxy that also serves the checksum database (e.g. `go env -w GOPROXY=https://goproxy.cn,direct`) or `go env -w GOSUMDB=sum.golang.google.cn`; for private modules, GOPRIVATE/GONOSUMDB. Do not set GOSUMDB=off for public modules.";

export async function probeSumdb(
  ge: Pick<GoEnv, "GOSUMDB" | "GONOSUMDB" | "GOPRIVATE" | "GOPROXY">,
  env: NodeJS.ProcessEnv,
  goplsVersion: Promise<string | undefined>,
  timeoutMs = 5000,
): Promise<SumdbProbe | undefined> {
  const db = sumdbAddress(ge.GOSUMDB);
  const proxies = proxyList(ge.GOPROXY);
  // No downloads (GOPROXY=off), or none verified: go would not ask the database.
  if (!db || proxies[0]?.url === "off" || matchPrefixPatterns(ge.GONOSUMDB || ge.GOPRIVATE, GOPLS))
    return undefined;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const ca = goTrustedRoots(env);
  const get = (url: string, maxBytes?: number) => {
    const u = new URL(url);
    const left = deadline - Date.now();
    if (left <= 0)
      return Promise.reject(
        Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      );
    return request(u, proxyFor(u, env), left, ca, maxBytes);
  };
  const result: SumdbProbe = { GOSUMDB: ge.GOSUMDB, url: db.url, through: "direct", ms: 0 };
  let servedBy: string | undefined;
  const evidence = () => ({
    GOSUMDB: ge.GOSUMDB || "sum.golang.org",
    asked: result.url,
    ...(servedBy ? { "served by": servedBy } : {}),
  });
  const done = () => {
    result.ms = Date.now() - started;
    return result;
  };
  if (!db.explicit) {
    for (const proxy of proxies) {
      if (!/^https?:\/\//.test(proxy.url)) continue; // direct, off, noproxy: on to the next
      const supported = `${proxy.url}/sumdb/${db.name}/supported`;
      try {
        const r = await get(supported);
        if (r.status === 200) {
          result.url = `${proxy.url}/sumdb/${db.name}`;
          result.through = "proxy";
          servedBy = proxy.url;
          break;
        }
        if (r.status === 404 || r.status === 410 || proxy.fallBackOnErr) continue;
        // go stops here: with this answer the database is unavailable to it.
        result.status = r.status;
        result.finding = {
          id: "sumdb.unreachable",
          severity: "error",
          message: `The module proxy ${proxy.url} answered HTTP ${r.status} when asked whether it serves the checksum database, so go cannot verify gopls's modules.`,
          evidence: { GOSUMDB: ge.GOSUMDB || "sum.golang.org", asked: supported },
          fix: FIX_UNREACHABLE,
        };
        return done();
      } catch (error) {
        if (proxy.fallBackOnErr) continue;
        // go stops here too; the proxy's own probe says what is wrong with it.
        result.error = `${(error as NodeJS.ErrnoException).code ?? ""} via ${proxy.url}`.trim();
        return done();
      }
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
  let timer: NodeJS.Timeout | undefined;
  const version = await Promise.race([
    goplsVersion,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
  const proxy = proxies.find((p) => /^https?:\/\//.test(p.url))?.url;
  if (version && proxy) {
    try {
      const [lookup, mod] = await Promise.all([
        get(`${result.url}/lookup/${GOPLS}@${escapeVersion(version)}`, 64 * 1024),
        get(`${proxy}/${GOPLS}/@v/${escapeVersion(version)}.mod`, 1 << 20),
      ]);
      const line = new RegExp(`^${escapeRegExp(`${GOPLS} ${version}/go.mod`)} (h1:\\S+)$`, "m");
      const vouched = line.exec(lookup.body)?.[1];
      if (lookup.status === 200 && mod.status === 200 && !mod.truncated && vouched) {
        const served = goModHash(mod.bytes);
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
