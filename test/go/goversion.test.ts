import assert from "node:assert/strict";
import { test } from "node:test";
import { parseBuildInfo } from "../../src/go/buildinfo.js";
import type { GoEnv } from "../../src/go/env.js";
import { installEnv, stripModFlag } from "../../src/go/environment.js";
import { compareGo, languageVersion, parseGoVersion, satisfies } from "../../src/go/goversion.js";

const v = (s: string) => {
  const parsed = parseGoVersion(s);
  assert.ok(parsed, s);
  return parsed;
};

test("Go versions order as the go command orders them", () => {
  const ordered = [
    "1.21rc1",
    "1.21",
    "go1.21.1",
    "1.21.13",
    "go1.22beta1",
    "1.22rc2",
    "go1.22.0",
    "1.26.8",
    "1.27.0",
    "1.99",
  ];
  for (let i = 1; i < ordered.length; i++) {
    assert.ok(
      compareGo(v(ordered[i - 1] as string), v(ordered[i] as string)) < 0,
      `${ordered[i - 1]} < ${ordered[i]}`,
    );
  }
  assert.equal(compareGo(v("1.21"), v("go1.21.0")), 0);
  assert.equal(parseGoVersion("devel go1.23-abc"), undefined);
  assert.equal(languageVersion(v("go1.26.8")), "go1.26");
});

test("a go directive is satisfied by that Go or newer only", () => {
  assert.ok(satisfies(v("go1.26.8"), v("1.26.0")));
  assert.ok(satisfies(v("go1.26.8"), v("1.25")));
  assert.equal(satisfies(v("go1.26.8"), v("1.27.0")), false);
  assert.equal(satisfies(v("go1.21.0"), v("1.21.1")), false);
});

test("go version -m output parses into build info", () => {
  const out = [
    "/home/u/go/bin/gopls: go1.26.8",
    "\tpath\tgolang.org/x/tools/gopls",
    "\tmod\tgolang.org/x/tools/gopls\tv0.23.0\th1:Dn6mf9WXu9iLnTftDDMb9wV0c6Se7PjzEMqP0LEe08Y=",
    "\tdep\tgolang.org/x/mod\tv0.37.0\th1:vF1=",
    "\tbuild\t-buildmode=exe",
    "\tbuild\tGOARCH=amd64",
    "\tbuild\tGOOS=linux",
    "",
  ].join("\n");
  assert.deepEqual(parseBuildInfo(out), {
    goVersion: "go1.26.8",
    path: "golang.org/x/tools/gopls",
    module: {
      path: "golang.org/x/tools/gopls",
      version: "v0.23.0",
      sum: "h1:Dn6mf9WXu9iLnTftDDMb9wV0c6Se7PjzEMqP0LEe08Y=",
    },
    settings: { "-buildmode": "exe", GOARCH: "amd64", GOOS: "linux" },
  });
  assert.equal(parseBuildInfo("/bin/sh: could not read Go build info"), undefined);
});

test("the install environment undoes what breaks go install pkg@version, and says so", () => {
  const goEnv = {
    GO111MODULE: "off",
    GOFLAGS: "-mod=vendor -modcacherw",
    GOOS: "windows",
    GOARCH: "arm64",
    GOHOSTOS: "linux",
    GOHOSTARCH: "amd64",
    GOTOOLCHAIN: "auto",
  } as GoEnv;
  const { env, overrides } = installEnv({ GOWORK: "/src/go.work", PATH: "/bin" }, goEnv, "/stage");
  assert.equal(env.GO111MODULE, "on");
  assert.equal(env.GOFLAGS, "-modcacherw");
  assert.equal(env.GOOS, "linux");
  assert.equal(env.GOARCH, "amd64");
  assert.equal(env.GOWORK, "off");
  assert.equal(env.GOTOOLCHAIN, "local");
  assert.equal(env.GOBIN, "/stage");
  assert.equal(env.PATH, "/bin");
  assert.deepEqual(overrides, [
    "GO111MODULE=off → on",
    "GOWORK=/src/go.work → off",
    "GOFLAGS=-mod=vendor -modcacherw → -modcacherw",
    "GOOS=windows → linux",
    "GOARCH=arm64 → amd64",
  ]);
  assert.equal(stripModFlag("-mod=mod -tags=x --mod=readonly -modfile=a"), "-tags=x");
});
