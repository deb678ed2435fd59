// The doctor trusts what go trusts, and reports no network fault go does not have. Reproduced as
// a user would meet it: an unprivileged user (no NODE_EXTRA_CA_CERTS, no SSL_CERT_FILE), a
// private CA installed only in the system store (the distribution's bundle, in a private mount
// namespace so the machine's own store is untouched), and an HTTPS module proxy signed by it.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { makePki } from "../helpers/certs.js";
import { standinGopls } from "../helpers/env.js";
import { startGoProxy } from "../helpers/goproxy.js";
import type { DoctorReport } from "../helpers/report.js";
import { ensureUsers, homeOf, publicGuard, usersUnavailable } from "../helpers/users.js";

const run = promisify(execFile);
const BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const USER = "gg-alice";
const skip =
  usersUnavailable() ??
  (fs.existsSync(BUNDLE) ? undefined : `needs the system bundle at ${BUNDLE}`) ??
  (fs.existsSync("/usr/local/go/bin/go") ? false : "needs Go at /usr/local/go");

before(() => {
  if (!skip) ensureUsers();
});

type T = { after(fn: () => void): void };

function privateDir(t: T): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-trust-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o777);
  return dir;
}

/** `gopls-guard doctor --json` as the user, with the system bundle given (or the machine's). */
async function doctorAsUser(
  t: T,
  goproxy: string,
  bundle: string | undefined,
): Promise<DoctorReport> {
  const guard = publicGuard(t);
  const dir = privateDir(t);
  const env = [
    "PATH=/usr/local/go/bin:/usr/bin:/bin",
    `HOME=${homeOf(USER)}`,
    `USER=${USER}`,
    "LANG=C.UTF-8",
    `GOPLS_GUARD_HOME=${dir}/guard`,
    `GOPLS_GUARD_CONFIG=${dir}/config.json`,
    `GOPLS_GUARD_GOPLS=${standinGopls()}`,
    `GOPROXY=${goproxy}`,
    "GOSUMDB=off",
    "GOFLAGS=",
    `GOCACHE=${dir}/gocache`,
    `GOMODCACHE=${dir}/modcache`,
  ];
  const asUser = `exec setpriv --reuid ${USER} --regid ${USER} --init-groups -- env -i ${env.map((e) => `'${e}'`).join(" ")} "$@"`;
  const script = bundle ? `mount --bind "${bundle}" ${BUNDLE} && ${asUser}` : asUser;
  const r = await run(
    "unshare",
    ["-m", "sh", "-c", script, "sh", process.execPath, guard, "doctor", "--json"],
    { env: {} },
  ).catch((e: { stdout: string }) => e);
  return JSON.parse(r.stdout) as DoctorReport;
}

test("a private CA in the system store only, as a user without NODE_EXTRA_CA_CERTS or SSL_CERT_FILE: go reaches the proxy, and the doctor reports no TLS fault", {
  skip,
}, async (t) => {
  const dir = privateDir(t);
  const pki = makePki(dir);
  const proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }], {
    tls: { key: pki.leafKey, cert: pki.leafPem + pki.intermediatePem },
  });
  t.after(() => proxy.close());
  // The machine's bundle plus the private root: what update-ca-certificates writes.
  const bundle = path.join(dir, "ca-certificates.crt");
  fs.writeFileSync(bundle, Buffer.concat([fs.readFileSync(BUNDLE), Buffer.from(pki.rootPem)]));
  fs.chmodSync(bundle, 0o644);
  const trusted = await doctorAsUser(t, proxy.url, bundle);
  assert.deepEqual(
    trusted.findings.filter((f) => /^(proxy|sumdb)\./.test(f.id)),
    [],
    JSON.stringify(trusted.findings),
  );
  assert.equal(trusted.facts.probes[0]?.status, 200, JSON.stringify(trusted.facts.probes));

  // Not in the store: go fails too, so the fault is real, with go's own words.
  const untrusted = await doctorAsUser(t, proxy.url, undefined);
  const tls = untrusted.findings.find((f) => f.id === "proxy.tls");
  assert.ok(tls, JSON.stringify(untrusted.findings));
  assert.match(tls.message, /GG Corporate Inspection Root/);
  assert.match(tls.evidence["go said"] ?? "", /x509|certificate/);
});
