// A network fault the doctor's probe found is shown only where go itself fails the same way: the
// probe is Node, with Node's TLS and resolver; the user's builds are go. Where go reaches the
// module proxy, there is no fault, whatever the probe saw.

import os from "node:os";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { queryEnv } from "../go/environment.js";
import { runGo } from "../go/run.js";

/** The probe's findings that go's own query can confirm or refute. */
export const CONFIRMED_BY_GO = new Set([
  "proxy.tls",
  "proxy.unreachable",
  "proxy.intercepted",
  "proxy.http_proxy_broken",
]);

/** go's answer to the question the probe asked: the versions of gopls the proxy lists. */
export async function goReachesProxy(
  go: string,
  user: NodeJS.ProcessEnv,
  ge: GoEnv,
  timeoutMs: number,
): Promise<{ reached: boolean; said: string }> {
  const r = await runGo(go, ["list", "-m", "-json", "golang.org/x/tools/gopls@latest"], {
    env: queryEnv(user, ge),
    cwd: os.tmpdir(),
    timeoutMs,
  });
  const reached = r.exitCode === 0 && /"Version":\s*"v\d/.test(r.stdout);
  const said = r.stderr.trim().split("\n").filter(Boolean).slice(-2).join(" | ");
  return { reached, said: r.timedOut ? `timed out after ${timeoutMs} ms` : said };
}

/**
 * The probe's network findings, kept where go fails too (with go's words added), dropped where
 * go succeeds: a false fault is worse than none.
 */
export async function confirmWithGo(
  findings: Finding[],
  ask: () => Promise<{ reached: boolean; said: string }>,
): Promise<{ findings: Finding[]; refuted: Finding[] }> {
  if (!findings.some((f) => CONFIRMED_BY_GO.has(f.id))) return { findings, refuted: [] };
  const go = await ask();
  if (go.reached)
    return {
      findings: findings.filter((f) => !CONFIRMED_BY_GO.has(f.id)),
      refuted: findings.filter((f) => CONFIRMED_BY_GO.has(f.id)),
    };
  return {
    findings: findings.map((f) =>
      CONFIRMED_BY_GO.has(f.id) && go.said
        ? { ...f, evidence: { ...f.evidence, "go said": go.said } }
        : f,
    ),
    refuted: [],
  };
}
