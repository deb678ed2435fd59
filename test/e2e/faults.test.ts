// Every environment fault the doctor finds also reaches the editor. Each row reproduces one
// for real (a closed port, an HTML block page, an untrusted TLS chain, a broken HTTPS_PROXY, a
// checksum database nobody serves, a read-only bind mount, a directory another uid owns, a bad
// GOROOT, settings that break `go install`, WSL with a Windows-targeting go) and checks both:
// `doctor --json` names the id with its severity, and a session with the stand-in gopls shows
// it (showMessage for errors and warnings, logMessage for info) while gopls keeps serving.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { makePki } from "../helpers/certs.js";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { startGoProxy } from "../helpers/goproxy.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { parseReport } from "../helpers/report.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];
type Severity = "error" | "warning" | "info";
const root = process.getuid?.() === 0;

interface Setup {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Directories bind-mounted read-only over themselves in a private mount namespace. */
  readOnly?: string[];
  /** Directories covered by a 1 MiB tmpfs there (a full disk). */
  tiny?: string[];
}

async function listen(t: T, s: http.Server | https.Server): Promise<number> {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  t.after(() => {
    s.closeAllConnections();
    s.close();
  });
  return (s.address() as AddressInfo).port;
}

async function closedPort(): Promise<string> {
  const p = await startGoProxy([]);
  await p.close();
  return p.url;
}

/** The guard's argv, wrapped in unshare when the row needs read-only mounts. */
function command(setup: Setup, args: string[]): [string, string[]] {
  if (!setup.readOnly?.length && !setup.tiny?.length) return [GUARD, args];
  const script = [
    "set -e",
    ...(setup.readOnly ?? []).map(
      (d) => `mount --bind "${d}" "${d}"; mount -o remount,bind,ro "${d}"`,
    ),
    ...(setup.tiny ?? []).map((d) => `mount -t tmpfs -o size=1m tmpfs "${d}"`),
    'exec "$@"',
  ].join("\n");
  return ["unshare", ["-m", "sh", "-c", script, "sh", process.execPath, GUARD, ...args]];
}

const rows: Array<{
  id: string;
  severity: Severity;
  what: string;
  needsRoot?: boolean;
  setup: (t: T) => Promise<Setup>;
}> = [
  {
    id: "proxy.off",
    severity: "error",
    what: "GOPROXY=off",
    setup: async () => ({ env: { GOPROXY: "off" } }),
  },
  {
    id: "proxy.unreachable",
    severity: "error",
    what: "a module proxy on a closed port",
    setup: async () => ({ env: { GOPROXY: await closedPort() } }),
  },
  {
    id: "proxy.intercepted",
    severity: "error",
    what: "an HTML block page where the proxy should be",
    setup: async (t) => {
      const port = await listen(
        t,
        http.createServer((_q, s) => {
          s.writeHead(200, { "Content-Type": "text/html" });
          s.end("<html>blocked by policy</html>");
        }),
      );
      return { env: { GOPROXY: `http://127.0.0.1:${port}` } };
    },
  },
  {
    id: "proxy.http_proxy_broken",
    severity: "error",
    what: "HTTP_PROXY pointing at nothing",
    setup: async () => ({
      env: { GOPROXY: "http://proxy.example.test", HTTP_PROXY: await closedPort() },
    }),
  },
  {
    id: "proxy.tls",
    severity: "error",
    what: "a proxy whose certificate chains to a root this machine does not trust",
    setup: async (t) => {
      const pki = makePki(tempDir(t));
      const port = await listen(
        t,
        https.createServer({ key: pki.leafKey, cert: pki.leafPem + pki.intermediatePem }, (_q, r) =>
          r.end("v0.1.0\n"),
        ),
      );
      return { env: { GOPROXY: `https://127.0.0.1:${port}` } };
    },
  },
  {
    id: "sumdb.unreachable",
    severity: "error",
    what: "a checksum database on a closed port while the proxy works",
    setup: async (t) => {
      const proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
      t.after(() => proxy.close());
      return {
        env: {
          GOPROXY: proxy.url,
          GONOSUMDB: "",
          GOPRIVATE: "",
          GOSUMDB: `sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 ${await closedPort()}`,
        },
      };
    },
  },
  {
    id: "go.goroot_mismatch",
    severity: "error",
    what: "GOROOT set to a directory that is not this go's root",
    setup: async (t) => ({ env: { GOROOT: tempDir(t) } }),
  },
  {
    id: "install.env_interference",
    severity: "info",
    what: "GO111MODULE=off",
    setup: async () => ({ env: { GO111MODULE: "off" } }),
  },
  {
    id: "go.wsl_windows_go",
    severity: "warning",
    what: "WSL, with go targeting Windows",
    setup: async () => ({ env: { WSL_DISTRO_NAME: "Ubuntu", GOOS: "windows" } }),
  },
  {
    id: "fs.foreign_owner",
    severity: "warning",
    what: "a GOPATH another uid owns",
    needsRoot: true,
    setup: async (t) => {
      const gopath = tempDir(t);
      fs.chownSync(gopath, 65534, 65534);
      return { env: { GOPATH: gopath, GOMODCACHE: path.join(tempDir(t), "mod") } };
    },
  },
  {
    id: "fs.cache_unwritable",
    severity: "warning",
    what: "GOCACHE on a read-only bind mount (gopls's own go commands need it)",
    needsRoot: true,
    setup: async (t) => {
      const gocache = tempDir(t);
      return { env: { GOCACHE: gocache }, readOnly: [gocache] };
    },
  },
  {
    id: "fs.no_space",
    severity: "warning",
    what: "a build cache on a nearly full disk (a 1 MiB tmpfs)",
    needsRoot: true,
    setup: async (t) => {
      const gocache = tempDir(t);
      return { env: { GOCACHE: gocache }, tiny: [gocache] };
    },
  },
  {
    id: "fs.install_dir_unwritable",
    severity: "warning",
    what: "a shared install directory on a read-only bind mount",
    needsRoot: true,
    setup: async (t) => {
      const dir = tempDir(t);
      return { env: { GOPLS_GUARD_INSTALL_DIR: dir }, readOnly: [dir] };
    },
  },
];

const TYPE: Record<Severity, number> = { error: 1, warning: 2, info: 3 };

for (const row of rows) {
  test(`${row.id}: ${row.what}, in the doctor and in the editor`, {
    skip: row.needsRoot && !root ? "needs root" : false,
  }, async (t) => {
    const setup = await row.setup(t);
    const base = {
      GOFLAGS: "",
      GOSUMDB: "off",
      GOPROXY: "off",
      GOMODCACHE: path.join(tempDir(t), "modcache"),
      ...setup.env,
    };

    const [cmd, args] = command(setup, ["doctor", "--json"]);
    const r = await run(cmd, args, { env: guardEnv(tempDir(t), base), cwd: setup.cwd }).catch(
      (error: { stdout: string }) => error,
    );
    const report = parseReport(r as { stdout: string });
    const found = report.findings.filter((f) => f.id === row.id);
    assert.ok(
      found.some((f) => f.severity === row.severity),
      `doctor: ${JSON.stringify(report.findings.map((f) => `${f.severity}:${f.id}`))}`,
    );

    const [serveCmd, serveArgs] = command(setup, []);
    const peer = new Peer(
      serveCmd === GUARD ? [] : serveArgs,
      guardEnv(tempDir(t), {
        ...base,
        GOPLS_GUARD_GOPLS: standinGopls(),
        GOPLS_GUARD_CHECKS: "on",
        GOPLS_GUARD_CHECKS_DELAY_MS: "1",
      }),
      setup.cwd,
      serveCmd,
    );
    t.after(() => peer.kill());
    await peer.initialize({}, 30_000);
    const method = row.severity === "info" ? "window/logMessage" : "window/showMessage";
    const shown = await peer.waitFor(`[${row.id}] in the editor`, (m) => {
      const p = m.params as { type?: number; message?: string } | undefined;
      return (
        m.method === method &&
        p?.type === TYPE[row.severity] &&
        (p.message ?? "").includes(`[${row.id}]`)
      );
    });
    const text = (shown.params as { message: string }).message;
    assert.doesNotMatch(text, /\n\s+at /, "no stack traces");
    // What pops up is one short line (Neovim's echo area: no hit-enter prompt); the whole text,
    // evidence and fix, is in the log every client keeps.
    if (row.severity !== "info") {
      assert.ok(text.length <= 160, `${text.length} characters: ${text}`);
      assert.doesNotMatch(text, /\(log: |; log: /, "no evidence in the pop-up");
    }
    const whole = await peer.waitFor(`[${row.id}] in the log`, (m) => {
      const p = m.params as { message?: string } | undefined;
      return m.method === "window/logMessage" && (p?.message ?? "").includes(`[${row.id}]`);
    });
    assert.match((whole.params as { message: string }).message, /Fix: \S/, "the fix, in the log");
    assert.equal((await peer.call("shutdown")).result, null);
    peer.notify("exit");
    assert.equal((await peer.exited).code, 0);
  });
}

test("a shared module cache the user cannot write: not said in a session (only an install needs it), and its fix keeps others' access", {
  skip: root ? false : "needs root",
}, async (t) => {
  const modcache = tempDir(t);
  const setup: Setup = { env: {}, readOnly: [modcache] };
  const base = { GOFLAGS: "", GOSUMDB: "off", GOPROXY: "off", GOMODCACHE: modcache };
  const [cmd, args] = command(setup, ["doctor", "--json"]);
  const r = await run(cmd, args, { env: guardEnv(tempDir(t), base) }).catch(
    (error: { stdout: string }) => error,
  );
  const f = parseReport(r as { stdout: string }).findings.find(
    (x) => x.id === "fs.cache_unwritable",
  );
  assert.ok(f);
  assert.match(f.message, /an install of gopls would use a private one/);
  assert.doesNotMatch(f.fix, /chown/);
  assert.match(f.fix, /g\+w|go env -w GOMODCACHE=\$HOME\/go\/pkg\/mod/);

  const [serveCmd, serveArgs] = command(setup, []);
  const peer = new Peer(
    serveArgs,
    guardEnv(tempDir(t), {
      ...base,
      GOPLS_GUARD_GOPLS: standinGopls(),
      GOPLS_GUARD_CHECKS: "on",
      GOPLS_GUARD_CHECKS_DELAY_MS: "1",
    }),
    undefined,
    serveCmd,
  );
  t.after(() => peer.kill());
  await peer.initialize({}, 30_000);
  // The checks ran: the log says so; the editor heard nothing of the module cache.
  await peer.waitFor("the checks' findings", (m) => JSON.stringify(m).includes("proxy.off"));
  assert.ok(!peer.received.some((m) => JSON.stringify(m).includes("cache_unwritable")));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  await peer.exited;
});
