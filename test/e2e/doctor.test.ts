// `gopls-guard doctor` against faults reproduced for real: proxies that refuse, hang, answer
// HTML or 403, an HTTPS_PROXY that wants credentials or is not there, GOPROXY=off, a bad
// GOROOT, settings that break `go install`, a world-writable gopls.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { makePki } from "../helpers/certs.js";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { startGoProxy } from "../helpers/goproxy.js";
import { guardEnv } from "../helpers/peer.js";
import type { DoctorReport } from "../helpers/report.js";
import { startSumDB } from "../helpers/sumdb.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];

type Report = DoctorReport;

async function doctor(
  t: T,
  extra: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<{ code: number; report: Report; ms: number }> {
  const env = guardEnv(tempDir(t), { GOFLAGS: "", ...extra });
  const started = Date.now();
  try {
    const { stdout } = await run(GUARD, ["doctor", "--json"], { env, cwd });
    return { code: 0, report: JSON.parse(stdout) as Report, ms: Date.now() - started };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, report: JSON.parse(e.stdout) as Report, ms: Date.now() - started };
  }
}

async function server(t: T, handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const ids = (r: Report) => r.findings.map((f) => `${f.severity}:${f.id}`);

test("a healthy setup: exit 0, the JSON names go, the proxy's answer and no error", async (t) => {
  const proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  t.after(() => proxy.close());
  // How fast: `npm run bench -- doctor` measures it (README § Benchmarks), not a timed test.
  const { code, report } = await doctor(t, {
    GOPROXY: proxy.url,
    GONOSUMDB: "golang.org/x/tools/gopls",
    GOMODCACHE: path.join(tempDir(t), "m"),
  });
  assert.equal(code, 0, JSON.stringify(report.findings));
  assert.equal(report.ok, true);
  assert.match(report.facts.go?.version ?? "", /^go1\./);
  assert.equal(report.facts.probes[0]?.status, 200);
  for (const f of report.findings)
    assert.deepEqual(Object.keys(f), ["id", "severity", "message", "evidence", "fix"]);
});

test("GOPROXY=off is an error naming the setting", async (t) => {
  const { code, report } = await doctor(t, { GOPROXY: "off" });
  assert.equal(code, 1);
  assert.ok(ids(report).includes("error:proxy.off"), ids(report).join());
});

test("a closed port: proxy.unreachable, refuses connections", async (t) => {
  const closed = await startGoProxy([]);
  await closed.close();
  const { code, report } = await doctor(t, { GOPROXY: closed.url });
  assert.equal(code, 1);
  const f = report.findings.find((x) => x.id === "proxy.unreachable");
  assert.match(f?.message ?? "", /refuses connections/);
  assert.match(f?.fix ?? "", /goproxy\.cn/);
});

test("a port that never answers: proxy.unreachable within the 5 s bound", async (t) => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const { report, ms } = await doctor(t, {
    GOPROXY: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
  });
  assert.match(
    report.findings.find((x) => x.id === "proxy.unreachable")?.message ?? "",
    /does not answer/,
  );
  assert.ok(ms < 6000, `took ${ms} ms`);
});

test("an HTML block page and a 403: proxy.intercepted, quoting status and content type", async (t) => {
  const html = await server(t, (_q, s) => {
    s.writeHead(200, { "Content-Type": "text/html" });
    s.end("<html><body>Access to this site is blocked by policy</body></html>");
  });
  const r1 = (await doctor(t, { GOPROXY: html })).report.findings.find(
    (x) => x.id === "proxy.intercepted",
  );
  assert.match(r1?.message ?? "", /HTML page/);
  assert.equal(r1?.evidence.answer, "HTTP 200, text/html");
  assert.match(r1?.evidence.page ?? "", /blocked by policy/);
  const forbidden = await server(t, (_q, s) => {
    s.writeHead(403, { "Content-Type": "text/plain" });
    s.end("forbidden");
  });
  const r2 = (await doctor(t, { GOPROXY: forbidden })).report.findings.find(
    (x) => x.id === "proxy.intercepted",
  );
  assert.match(r2?.message ?? "", /answered 403/);
});

test("HTTPS_PROXY that wants credentials (407), or is not there: proxy.http_proxy_broken", async (t) => {
  const auth = http.createServer();
  auth.on("connect", (_req, socket) =>
    socket.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n"),
  );
  await new Promise<void>((r) => auth.listen(0, "127.0.0.1", r));
  t.after(() => auth.close());
  const via = `http://127.0.0.1:${(auth.address() as AddressInfo).port}`;
  const r1 = (
    await doctor(t, { GOPROXY: "http://proxy.example.test", HTTPS_PROXY: via, HTTP_PROXY: via })
  ).report;
  assert.match(
    r1.findings.find((x) => x.id === "proxy.http_proxy_broken")?.message ?? "",
    /HTTPS_PROXY .* does not work: proxy answered CONNECT with 407/,
  );
  const gone = await startGoProxy([]);
  await gone.close();
  const r2 = (await doctor(t, { GOPROXY: "http://proxy.example.test", HTTP_PROXY: gone.url }))
    .report;
  assert.ok(
    r2.findings.some((x) => x.id === "proxy.http_proxy_broken"),
    ids(r2).join(),
  );
});

test("the checksum database: reachable and agreeing, refusing connections, or contradicting the proxy", async (t) => {
  const honest = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  t.after(() => honest.close());
  const db = await startSumDB(honest.url);
  t.after(() => db.close());
  const base = {
    GOPROXY: honest.url,
    GOSUMDB: db.gosumdb,
    GONOSUMDB: "",
    GOPRIVATE: "",
    GOPLS_GUARD_GOPLS_VERSION: "v0.1.0",
    GOMODCACHE: path.join(tempDir(t), "m"),
    GOPATH: tempDir(t),
  };

  const good = await doctor(t, base);
  assert.equal(good.code, 0, JSON.stringify(good.report.findings));
  assert.equal(good.report.facts.sumdb?.status, 200);
  assert.equal(good.report.facts.sumdb?.through, "direct"); // this proxy does not serve /sumdb/
  assert.deepEqual(good.report.facts.sumdb?.compared, { version: "v0.1.0", same: true });

  const closed = await startGoProxy([]);
  await closed.close();
  const key = db.gosumdb.split(" ")[0];
  const blocked = await doctor(t, { ...base, GOSUMDB: `${key} ${closed.url}` });
  assert.equal(blocked.code, 1);
  const unreachable = blocked.report.findings.find((f) => f.id === "sumdb.unreachable");
  assert.match(
    unreachable?.message ?? "",
    /The checksum database http:\/\/127\.0\.0\.1:\d+ refuses connections/,
  );
  assert.match(unreachable?.fix ?? "", /GOSUMDB=sum\.golang\.google\.cn/);
  assert.doesNotMatch(unreachable?.fix ?? "", /GOSUMDB=off`/);
  assert.ok(
    !blocked.report.findings.some((f) => f.id.startsWith("proxy.")),
    ids(blocked.report).join(),
  );

  // GOSUMDB without a URL: go asks the proxy first, and this one serves the database.
  const proxying = await startGoProxy([{ version: "v0.1.0", go: "1.21" }], { sumdb: db.url });
  t.after(() => proxying.close());
  const viaProxy = await doctor(t, { ...base, GOPROXY: proxying.url, GOSUMDB: db.key });
  assert.equal(viaProxy.code, 0, JSON.stringify(viaProxy.report.findings));
  assert.equal(viaProxy.report.facts.sumdb?.through, "proxy");
  assert.equal(viaProxy.report.facts.sumdb?.url, `${proxying.url}/sumdb/${db.key.split("+")[0]}`);
  assert.deepEqual(viaProxy.report.facts.sumdb?.compared, { version: "v0.1.0", same: true });
  // A proxy that refuses the question (403): go stops there, and so does the probe.
  const refusing = await server(t, (q, r) => {
    r.writeHead(q.url?.startsWith("/sumdb/") ? 403 : 200, { "Content-Type": "text/plain" });
    r.end(q.url?.startsWith("/sumdb/") ? "forbidden" : "v0.1.0\n");
  });
  const refused = await doctor(t, { ...base, GOPROXY: refusing, GOSUMDB: db.key });
  assert.match(
    refused.report.findings.find((f) => f.id === "sumdb.unreachable")?.message ?? "",
    /answered HTTP 403 when asked whether it serves the checksum database/,
  );

  const tampering = await startGoProxy([{ version: "v0.1.0", go: "1.21" }], {
    tamperMod: ["v0.1.0"],
  });
  t.after(() => tampering.close());
  const altered = await doctor(t, { ...base, GOPROXY: tampering.url });
  assert.equal(altered.code, 1);
  const mismatch = altered.report.findings.find((f) => f.id === "sumdb.mismatch");
  assert.match(
    mismatch?.message ?? "",
    /go\.mod for gopls v0\.1\.0 that differs from what the checksum database vouches for/,
  );
  assert.match(mismatch?.evidence["checksum database"] ?? "", /^h1:/);
  assert.doesNotMatch(mismatch?.fix ?? "", /GOSUMDB=off|GONOSUMDB|GOINSECURE/);
  assert.deepEqual(altered.report.facts.sumdb?.compared, { version: "v0.1.0", same: false });
});

test("GOROOT pointing at another or no directory: go.goroot_mismatch with both paths", async (t) => {
  const other = tempDir(t);
  const r1 = (await doctor(t, { GOROOT: other, GOPROXY: "off" })).report;
  const f1 = r1.findings.find((x) => x.id === "go.goroot_mismatch");
  assert.ok(f1, ids(r1).join());
  assert.match(f1.fix, /[Uu]nset GOROOT/);
  const r2 = (await doctor(t, { GOROOT: "/nonexistent/goroot" })).report;
  assert.ok(
    r2.findings.some((x) => x.id === "go.goroot_mismatch" && x.severity === "error"),
    ids(r2).join(),
  );
});

test("GO111MODULE=off, GOFLAGS=-mod=vendor, GOOS for cross-compiling and a go.work here: install.env_interference", async (t) => {
  const work = tempDir(t);
  fs.writeFileSync(path.join(work, "go.work"), "go 1.21\n");
  fs.mkdirSync(path.join(work, "sub"));
  const { report } = await doctor(
    t,
    { GO111MODULE: "off", GOFLAGS: "-mod=vendor", GOOS: "windows", GOPROXY: "off" },
    work,
  );
  const f = report.findings.find((x) => x.id === "install.env_interference");
  assert.equal(f?.severity, "info");
  assert.match(
    f?.evidence.settings ?? "",
    /GO111MODULE=off.*GOFLAGS=-mod=vendor.*GOOS\/GOARCH=windows\//,
  );
  // Said once, with its own id: -mod=vendor does not stop downloads (not proxy.off), and a
  // go.work where the doctor runs changes nothing for an install from an empty directory.
  assert.equal(report.findings.filter((x) => /-mod=vendor/.test(x.message)).length, 0);
  assert.doesNotMatch(f?.evidence.settings ?? "", /go\.work/);
});

test("a gopls in a world-writable directory: fs.unsafe_binary, an error", async (t) => {
  const dir = tempDir(t);
  fs.chmodSync(dir, 0o777);
  const gopls = path.join(dir, "gopls");
  fs.copyFileSync(standinGopls(), gopls);
  fs.chmodSync(gopls, 0o755);
  const { code, report } = await doctor(t, { GOPLS_GUARD_GOPLS: gopls, GOPROXY: "off" });
  assert.equal(code, 1);
  assert.match(
    report.findings.find((x) => x.id === "fs.unsafe_binary")?.message ?? "",
    /writable by every user/,
  );
});

test("the facts say which gopls would run: its path, version, module and the Go it was built with", async (t) => {
  const { report } = await doctor(t, { GOPLS_GUARD_GOPLS: standinGopls(), GOPROXY: "off" });
  assert.equal(report.facts.gopls?.path, standinGopls());
  assert.equal(report.facts.gopls?.module, "golang.org/x/tools/gopls");
  assert.match(report.facts.gopls?.builtWith ?? "", /^go1\.\d+/);
});

test("gopls.path_shadow: a different gopls earlier on PATH is info naming both; the same one, linked, is not", async (t) => {
  const dir = tempDir(t);
  const other = path.join(dir, "other", "gopls");
  fs.mkdirSync(path.dirname(other));
  fs.copyFileSync(standinGopls(), other);
  fs.chmodSync(other, 0o755);
  const PATH = `${path.dirname(other)}${path.delimiter}${process.env.PATH}`;
  const { report } = await doctor(t, { GOPLS_GUARD_GOPLS: standinGopls(), GOPROXY: "off", PATH });
  const shadow = report.findings.filter((x) => x.id === "gopls.path_shadow");
  assert.equal(shadow.length, 1, ids(report).join());
  assert.equal(shadow[0]?.severity, "info");
  assert.deepEqual(shadow[0]?.evidence, { "on PATH": other, "the guard runs": standinGopls() });
  // A link to the very binary the guard runs is not a different gopls.
  const same = path.join(dir, "same", "gopls");
  fs.mkdirSync(path.dirname(same));
  fs.symlinkSync(standinGopls(), same);
  const linked = await doctor(t, {
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOPROXY: "off",
    PATH: `${path.dirname(same)}${path.delimiter}${process.env.PATH}`,
  });
  assert.deepEqual(
    linked.report.findings.filter((x) => x.id === "gopls.path_shadow"),
    [],
  );
});

test("the human report: grouped findings with their fixes and a one-line verdict", async (t) => {
  let out = "";
  try {
    await run(GUARD, ["doctor"], { env: guardEnv(tempDir(t), { GOPROXY: "off" }) });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  assert.match(out, /✗ error \[proxy\.off\] GOPROXY=off/);
  // GOPROXY comes from the environment, which `go env -w` cannot override: the fix says where.
  assert.match(
    out,
    /fix: GOPROXY is set in the environment the editor starts with: .*`go env -w` cannot override it/,
  );
  assert.equal(out.split("[proxy.off]").length - 1, 1, "one fault, listed once");
  assert.match(
    out.trim().split("\n").at(-1) ?? "",
    /^✗ gopls cannot be installed or started: \d+ errors?/,
  );
});

async function tlsServer(t: T, key: string, cert: string): Promise<string> {
  const s = https.createServer({ key, cert }, (_q, r) => {
    r.writeHead(200, { "Content-Type": "text/plain" });
    r.end("v0.1.0\n");
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

test("TLS: a TLS-inspecting firewall's root is named; a missing intermediate is the server's fault", {
  timeout: 60_000,
}, async (t) => {
  const pki = makePki(tempDir(t));
  // The firewall presents its chain; this machine does not trust its root.
  const inspected = await tlsServer(t, pki.leafKey, pki.leafPem + pki.intermediatePem);
  const r1 = (await doctor(t, { GOPROXY: inspected })).report.findings.find(
    (x) => x.id === "proxy.tls",
  );
  assert.match(
    r1?.message ?? "",
    /issued by "GG Corporate Inspection Root", which this machine does not trust/,
  );
  assert.match(
    r1?.evidence["chain presented"] ?? "",
    /127\.0\.0\.1 \(issued by GG Test Intermediate\) → GG Test Intermediate \(issued by GG Corporate Inspection Root\)/,
  );
  assert.doesNotMatch(`${r1?.fix}`, /insecure|GOINSECURE|GOSUMDB=off|-k\b/);
  // A private proxy whose root is trusted (SSL_CERT_FILE) but which does not send its intermediate.
  const caFile = path.join(tempDir(t), "root.pem");
  fs.writeFileSync(caFile, pki.rootPem);
  const incomplete = await tlsServer(t, pki.leafKey, pki.leafPem);
  const r2 = (await doctor(t, { GOPROXY: incomplete, SSL_CERT_FILE: caFile })).report.findings.find(
    (x) => x.id === "proxy.tls",
  );
  assert.match(
    r2?.message ?? "",
    /chain is incomplete: the server does not send the certificate that issued it \(GG Test Intermediate\)/,
  );
  assert.match(r2?.fix ?? "", /server's fault/);
  // With the whole chain and the root trusted, no TLS finding.
  const complete = await tlsServer(t, pki.leafKey, pki.leafPem + pki.intermediatePem);
  const r3 = (await doctor(t, { GOPROXY: complete, SSL_CERT_FILE: caFile })).report;
  assert.equal(
    r3.findings.some((x) => x.id === "proxy.tls"),
    false,
    JSON.stringify(r3.findings),
  );
  // A self-signed proxy certificate.
  const self = await tlsServer(t, pki.selfSignedKey, pki.selfSignedPem);
  const r4 = (await doctor(t, { GOPROXY: self })).report.findings.find((x) => x.id === "proxy.tls");
  assert.match(r4?.message ?? "", /issued by "GG Self Signed Proxy"/);
});

test("in the editor: the checks that do not gate the start run once gopls is up, each finding once", async (t) => {
  const { Peer } = await import("../helpers/peer.js");
  const html = await server(t, (_q, s) => {
    s.writeHead(200, { "Content-Type": "text/html" });
    s.end("<html>blocked</html>");
  });
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), {
      GOPLS_GUARD_GOPLS: standinGopls(),
      GOPLS_GUARD_CHECKS: "on",
      GOPLS_GUARD_CHECKS_DELAY_MS: "200",
      GOPROXY: html,
      GO111MODULE: "off",
    }),
  );
  t.after(() => peer.kill());
  await peer.initialize();
  const blocked = await peer.waitFor(
    "proxy.intercepted",
    (m) =>
      m.method === "window/showMessage" &&
      /\[proxy\.intercepted\]/.test((m.params as { message: string }).message),
  );
  assert.equal((blocked.params as { type: number }).type, 1);
  const info = await peer.waitFor(
    "env interference",
    (m) =>
      m.method === "window/logMessage" &&
      /\[install\.env_interference\].*GO111MODULE=off/.test(
        (m.params as { message: string }).message,
      ),
  );
  assert.equal((info.params as { type: number }).type, 3);
  // The session works meanwhile, and nothing is said twice.
  assert.deepEqual((await peer.call("standin/echo", [1])).result, [1]);
  const said = peer.received
    .filter((m) => m.method?.startsWith("window/"))
    .map((m) => (m.params as { message: string }).message);
  assert.equal(new Set(said).size, said.length, said.join("\n"));
});

test("login-shell env drift: the variables the terminal has and the editor lacks, named", async (t) => {
  const dir = tempDir(t);
  const shell = path.join(dir, "fake-login-shell");
  // A login shell whose profile exports proxy settings the editor never saw.
  fs.writeFileSync(
    shell,
    `#!/bin/sh\nexport GOPROXY=https://goproxy.cn,direct GOPRIVATE=corp.example.com/*\nshift 2; exec /bin/sh -c "$1"\n`,
    { mode: 0o755 },
  );
  const { report } = await doctor(t, { SHELL: shell, GOPROXY: "off", GOPRIVATE: "" });
  const f = report.findings.find((x) => x.id === "go.shell_env_drift");
  assert.equal(f?.severity, "warning");
  assert.match(f?.message ?? "", /GOPROXY, GOPRIVATE/);
  assert.equal(f?.evidence.GOPROXY, "shell https://goproxy.cn,direct, editor off");
});

test("no Go: the doctor still says where the installed gopls is", async (t) => {
  const home = tempDir(t);
  const build = path.join(home, "gopls", "gopls-v0.2.0-go1.21");
  fs.mkdirSync(build, { recursive: true });
  fs.copyFileSync(standinGopls(), path.join(build, "gopls"));
  const env = guardEnv(home, { GOPLS_GUARD_GO: path.join(tempDir(t), "no-go"), GOPROXY: "off" });
  const out = await run(GUARD, ["doctor"], { env }).catch((e: { stdout: string }) => e);
  assert.match(
    out.stdout,
    new RegExp(
      `gopls   ${path.join(build, "gopls")} \\(v0\\.2\\.0; managed \\(not verified: no Go\\)\\)`,
    ),
  );
  assert.doesNotMatch(out.stdout, /not installed yet/);
});

test("inside a module or a workspace the doctor adds no line about its go.mod or go.work", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "go.mod"), "module example.com/m\n\ngo 1.21\n");
  fs.writeFileSync(path.join(dir, "go.work"), "go 1.21\n\nuse .\n");
  const { report } = await doctor(t, { GOPROXY: "off" }, dir);
  assert.deepEqual(
    report.findings.filter((f) => /go\.(mod|work)\b/.test(JSON.stringify(f))).map((f) => f.id),
    [],
  );
});
