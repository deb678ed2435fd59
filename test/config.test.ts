import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultHome, loadConfig } from "../src/config.js";

test("default home follows each OS's convention", () => {
  assert.equal(
    defaultHome({ env: {}, platform: "linux", homedir: "/home/u" }),
    "/home/u/.local/share/gopls-guard",
  );
  assert.equal(
    defaultHome({ env: { XDG_DATA_HOME: "/x" }, platform: "linux", homedir: "/home/u" }),
    "/x/gopls-guard",
  );
  assert.equal(
    defaultHome({ env: { XDG_DATA_HOME: "rel" }, platform: "linux", homedir: "/home/u" }),
    "/home/u/.local/share/gopls-guard",
  );
  assert.equal(
    defaultHome({ env: {}, platform: "darwin", homedir: "/Users/u" }),
    "/Users/u/Library/Application Support/gopls-guard",
  );
  assert.equal(
    defaultHome({
      env: { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" },
      platform: "win32",
      homedir: "C:\\Users\\u",
    }),
    "C:\\Users\\u\\AppData\\Local\\gopls-guard",
  );
});

test("bad settings fall back to defaults and come back as config.invalid findings", () => {
  const { config, problems } = loadConfig({
    env: {
      GOPLS_GUARD_LOG_LEVEL: "loud",
      GOPLS_GUARD_HOME: "relative/dir",
      GOPLS_GUARD_KILL_GRACE_MS: "-1",
    },
    platform: "linux",
    homedir: "/home/u",
  });
  assert.equal(config.logLevel, "info");
  assert.equal(config.home, "/home/u/.local/share/gopls-guard");
  assert.equal(config.killGraceMs, 2000);
  assert.deepEqual(
    problems.map((p) => [p.id, Object.keys(p.evidence)[0]]),
    [
      ["config.invalid", "GOPLS_GUARD_LOG_LEVEL"],
      ["config.invalid", "GOPLS_GUARD_HOME"],
      ["config.invalid", "GOPLS_GUARD_KILL_GRACE_MS"],
    ],
  );
});

test("mirrors: one bad entry is dropped and reported, the rest kept; the default list otherwise", () => {
  const { config, problems } = loadConfig({
    env: { GOPLS_GUARD_MIRRORS: "https://mirror.corp.example/, ftp://nope ,http://127.0.0.1:3000" },
    platform: "linux",
    homedir: "/home/u",
  });
  assert.deepEqual(config.mirrors, ["https://mirror.corp.example", "http://127.0.0.1:3000"]);
  assert.deepEqual(
    problems.map((p) => p.evidence.GOPLS_GUARD_MIRRORS),
    ["ftp://nope"],
  );
  const defaults = loadConfig({ env: {}, platform: "linux", homedir: "/home/u" }).config;
  assert.deepEqual(defaults.mirrors, ["https://goproxy.cn", "https://goproxy.io"]);
});
