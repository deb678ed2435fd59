import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { resolveOptions } from "../../src/gopls/launch.js";
import type { Logger } from "../../src/log.js";

const { config } = loadConfig({ env: {}, platform: "linux", homedir: "/home/u" });
const log = { file: "/tmp/guard.log", logger: {} as Logger };
const report = () => {};

test("resolve options: this process's env, platform and home unless the caller has its own", () => {
  const own = resolveOptions(config, log, { allowInstall: true, report });
  assert.equal(own.env, process.env);
  assert.equal(own.platform, process.platform);
  assert.equal(own.homedir, os.homedir());
  assert.equal(own.logFile, "/tmp/guard.log");
  assert.equal(own.config, config);
  const seams = resolveOptions(config, log, {
    env: { PATH: "/x" },
    platform: "darwin",
    homedir: "/Users/u",
    allowInstall: false,
    goTimeoutMs: 5000,
    report,
  });
  assert.deepEqual(
    [seams.env, seams.platform, seams.homedir, seams.allowInstall, seams.goTimeoutMs],
    [{ PATH: "/x" }, "darwin", "/Users/u", false, 5000],
  );
});
