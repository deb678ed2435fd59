// Removing unused gopls builds after a switch, on a real file system: in a shared install dir
// nothing is removed (another user's session may run any build there, and this guard only knows
// its own home's sessions); in the per-user dir, only builds this user owns.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { resolveOptions } from "../../src/gopls/launch.js";
import { removeUnusedBuilds } from "../../src/gopls/update.js";
import { tempDir } from "../helpers/env.js";

const quiet = {
  file: "/dev/null",
  logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {} },
};

function options(home: string, installDir?: string) {
  const env = {
    ...process.env,
    GOPLS_GUARD_HOME: home,
    GOPLS_GUARD_CONFIG: path.join(home, "none.json"),
    ...(installDir ? { GOPLS_GUARD_INSTALL_DIR: installDir } : {}),
  };
  const { config } = loadConfig({ env, platform: process.platform, homedir: home });
  // biome-ignore lint/suspicious/noExplicitAny: a logger that drops everything
  return resolveOptions(config, quiet as any, { allowInstall: false, report: () => {}, env });
}

function build(root: string, name: string, uid?: number): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "gopls"), "");
  if (uid !== undefined) fs.chownSync(dir, uid, uid);
  return dir;
}

test("a switch in a shared install dir removes no build: another user's session may run it", async (t) => {
  const home = tempDir(t);
  const shared = tempDir(t);
  const old = build(shared, "gopls-v0.1.0-go1.26");
  const current = build(shared, "gopls-v0.2.0-go1.26");
  const removed = await removeUnusedBuilds(options(home, shared), [path.join(current, "gopls")]);
  assert.deepEqual(removed, []);
  assert.ok(fs.existsSync(old));
});

test("in the per-user dir, unused builds this user owns are removed; one another uid owns is not", {
  skip: process.getuid?.() === 0 ? false : "needs root to chown",
}, async (t) => {
  const home = tempDir(t);
  const root = path.join(home, "gopls");
  const mine = build(root, "gopls-v0.1.0-go1.26");
  const theirs = build(root, "gopls-v0.0.9-go1.26", 65534);
  const current = build(root, "gopls-v0.2.0-go1.26");
  const removed = await removeUnusedBuilds(options(home), [path.join(current, "gopls")]);
  assert.deepEqual(removed, [mine]);
  assert.ok(fs.existsSync(theirs));
  assert.ok(fs.existsSync(current));
});
