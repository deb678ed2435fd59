import assert from "node:assert/strict";
import { test } from "node:test";
import { parseGoVersion } from "../../src/go/goversion.js";
import { classifyGoFailure } from "../../src/gopls/classify.js";
import { parseVersionDir } from "../../src/gopls/layout.js";
import { checkBuildInfo } from "../../src/gopls/verify.js";
import { goDirective, parsePolicy, releasesNewestFirst } from "../../src/gopls/versions.js";

test("version policies: latest, or an exact version with or without the v", () => {
  assert.deepEqual(parsePolicy(undefined), { kind: "latest" });
  assert.deepEqual(parsePolicy("latest"), { kind: "latest" });
  assert.deepEqual(parsePolicy("v0.16.2"), { kind: "pin", version: "v0.16.2" });
  assert.deepEqual(parsePolicy("0.16.2"), { kind: "pin", version: "v0.16.2" });
  assert.equal(parsePolicy("newest"), undefined);
  assert.equal(parsePolicy("v0.16"), undefined);
});

test("releases sort newest first, pre-releases dropped", () => {
  assert.deepEqual(
    releasesNewestFirst(["v0.9.0", "v0.10.0", "v0.10.1-pre.1", "v0.2.0", "junk", "v0.10.0-rc.2"]),
    ["v0.10.0", "v0.9.0", "v0.2.0"],
  );
});

test("the go directive is read from a go.mod", () => {
  assert.equal(
    goDirective("module golang.org/x/tools/gopls\n\ngo 1.26.0 // comment\n\ntoolchain go1.26.1\n"),
    "1.26.0",
  );
  assert.equal(goDirective("module m\n"), undefined);
});

test("version directories name the gopls version and the Go language version", () => {
  assert.deepEqual(parseVersionDir("gopls-v0.23.0-go1.26"), {
    version: "v0.23.0",
    goLanguage: "go1.26",
  });
  assert.equal(parseVersionDir(".stage-123-abc"), undefined);
});

const host = {
  localGo: parseGoVersion("go1.26.8") as NonNullable<ReturnType<typeof parseGoVersion>>,
  hostOs: "linux",
  hostArch: "amd64",
};
const info = (over: object = {}) => ({
  goVersion: "go1.26.8",
  path: "golang.org/x/tools/gopls",
  module: { path: "golang.org/x/tools/gopls", version: "v0.23.0", sum: "" },
  settings: { GOOS: "linux", GOARCH: "amd64" },
  ...over,
});

test("build info verdicts: the right gopls, or why not", () => {
  const verdict = (
    i: ReturnType<typeof info> | undefined,
    version: string | undefined = "v0.23.0",
  ) => {
    const r = checkBuildInfo("/x/gopls", i, { version, ...host });
    return r.ok ? "ok" : r.finding.id;
  };
  assert.equal(verdict(info()), "ok");
  assert.equal(verdict(info({ goVersion: "go1.26.0" })), "ok");
  assert.equal(verdict(info(), undefined), "ok");
  assert.equal(verdict(undefined), "gopls.not_gopls");
  assert.equal(
    verdict(
      info({
        path: "example.com/other",
        module: { path: "example.com/other", version: "v1.0.0", sum: "" },
      }),
    ),
    "gopls.not_gopls",
  );
  assert.equal(
    verdict(info({ settings: { GOOS: "windows", GOARCH: "amd64" } })),
    "gopls.not_gopls",
  );
  assert.equal(
    verdict(info({ module: { path: "golang.org/x/tools/gopls", version: "v0.22.0", sum: "" } })),
    "gopls.wrong_version",
  );
  assert.equal(verdict(info({ goVersion: "go1.25.3" })), "gopls.stale_build");
});

const failure = (output: string, extra: object = {}) =>
  classifyGoFailure({
    command: "go install golang.org/x/tools/gopls@v0.23.0",
    output,
    exitCode: 1,
    timedOut: false,
    logFile: "/l.log",
    env: {
      GOPROXY: "https://proxy.golang.org,direct",
      GOSUMDB: "",
      GOFLAGS: "",
      GOCACHE: "/c",
      GOMODCACHE: "/m",
    },
    ...extra,
  }).id;

test("go's failure output is classified into FAULTS.md ids", () => {
  const table: Array<[string, string]> = [
    [
      'go: golang.org/x/tools/gopls@v0.23.0: Get "https://proxy.golang.org/golang.org/x/tools/gopls/@v/v0.23.0.info": dial tcp: lookup proxy.golang.org: no such host',
      "proxy.unreachable",
    ],
    [
      'Get "https://proxy.golang.org/...": dial tcp 142.250.0.1:443: i/o timeout',
      "proxy.unreachable",
    ],
    [
      "tls: failed to verify certificate: x509: certificate signed by unknown authority",
      "proxy.tls",
    ],
    ["go: module lookup disabled by GOPROXY=off", "proxy.off"],
    [
      'verifying golang.org/x/tools@v0.23.0: golang.org/x/tools@v0.23.0: Get "https://sum.golang.org/lookup/golang.org/x/tools@v0.23.0": dial tcp: i/o timeout',
      "sumdb.unreachable",
    ],
    [
      "verifying golang.org/x/tools@v0.23.0: checksum mismatch\n\tdownloaded: h1:a\n\tsum.golang.org: h1:b\n\nSECURITY ERROR",
      "sumdb.mismatch",
    ],
    [
      "verifying module: golang.org/x/tools/gopls@v0.1.0: initializing sumdb.Client: reading tree note: note has no verifiable signatures",
      "sumdb.mismatch",
    ],
    [
      "go: golang.org/x/tools/gopls@v0.24.0 requires go >= 1.27.0 (running go 1.26.8; GOTOOLCHAIN=local)",
      "go.toolchain_switch",
    ],
    [
      "go: downloading go1.27.0 (linux/amd64)\ngo: download go1.27.0: dial tcp: i/o timeout",
      "go.toolchain_switch",
    ],
    ["write /root/.cache/go-build/01/x: no space left on device", "fs.no_space"],
    ["go: mkdir /ro/cache/01: read-only file system", "fs.cache_unwritable"],
    ["go: cannot use path@version syntax in GOPATH mode", "install.env_interference"],
    [
      "proxyconnect tcp: dial tcp 127.0.0.1:3128: connect: connection refused",
      "proxy.http_proxy_broken",
    ],
    ["# golang.org/x/tools/gopls\n./main.go:3:1: syntax error", "install.failed"],
  ];
  for (const [output, id] of table) assert.equal(failure(output), id, output);
  assert.equal(failure("", { timedOut: true }), "install.failed");
});

test("background updates: minor keeps the major, patch keeps the minor, off takes nothing, never older", async () => {
  const { allowedUpdate } = await import("../../src/gopls/update.js");
  const rows: Array<[string, string, "off" | "patch" | "minor", boolean]> = [
    ["v0.23.0", "v0.24.0", "minor", true],
    ["v0.23.0", "v0.23.2", "minor", true],
    ["v0.23.0", "v1.0.0", "minor", false],
    ["v0.23.0", "v0.23.2", "patch", true],
    ["v0.23.0", "v0.24.0", "patch", false],
    ["v0.23.0", "v0.24.0", "off", false],
    ["v0.24.0", "v0.23.0", "minor", false],
    ["v0.24.0", "v0.24.0", "minor", false],
  ];
  for (const [from, to, policy, want] of rows)
    assert.equal(allowedUpdate(from, to, policy), want, `${from} → ${to} (${policy})`);
});
