// `gopls-guard clean [--all]` as a user runs it (an unprivileged user: read-only files are real
// then): plain clean removes unused builds, finished logs and dead scratch, and keeps the build a
// warm start names; --all removes the whole home, a read-only module cache inside it included,
// and the launcher link made; both say what they leave (Go's caches, gopls's cache, the config).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { standinGopls } from "../helpers/env.js";
import { asUser, ensureUsers, publicGuard, usersUnavailable } from "../helpers/users.js";

const skip = usersUnavailable() ?? false;
const USER = "gg-alice";

before(() => {
  if (!skip) ensureUsers();
});

function build(home: string, name: string): string {
  const dir = path.join(home, "gopls", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(standinGopls(), path.join(dir, "gopls"));
  fs.chmodSync(path.join(dir, "gopls"), 0o755);
  return path.join(dir, "gopls");
}

test("clean removes what no session uses and says what it leaves; clean --all removes everything of the guard's, read-only module caches too", {
  skip,
}, async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "gg-clean-"));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.chmodSync(base, 0o755);
  const home = path.join(base, "home");
  const unused = build(home, "gopls-v0.1.0-go1.26");
  const next = build(home, "gopls-v0.2.0-go1.26");
  fs.mkdirSync(path.join(home, "state"));
  fs.writeFileSync(path.join(home, "state", "k.json"), JSON.stringify({ gopls: { path: next } }));
  fs.mkdirSync(path.join(home, "logs"));
  fs.writeFileSync(path.join(home, "logs", "2026-12-01-101010-999999-cli.log"), "old\n");
  // What a killed install left: a private module cache, read-only as go makes it.
  const modcache = path.join(home, "tmp", "run-999999-abc", "gomodcache", "example.com", "m@v1");
  fs.mkdirSync(modcache, { recursive: true });
  fs.writeFileSync(path.join(modcache, "go.mod"), "module example.com/m\n");
  execFileSync("chown", ["-R", `${USER}:${USER}`, base]);
  execFileSync("chmod", ["-R", "a-w", path.join(home, "tmp", "run-999999-abc", "gomodcache")]);
  const guard = publicGuard(t);
  const env = {
    PATH: "/usr/local/go/bin:/usr/bin:/bin",
    GOPLS_GUARD_HOME: home,
    GOPLS_GUARD_CONFIG: path.join(base, "config.json"),
  };

  const plain = await asUser(USER, [process.execPath, guard, "clean"], env);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, new RegExp(`Removed:\\n(.*\\n)*  ${path.dirname(unused)} \\(`));
  assert.match(plain.stdout, /2026-12-01-101010-999999-cli\.log/);
  assert.match(plain.stdout, /run-999999-abc/);
  assert.match(
    plain.stdout,
    /Left alone:\n {2}Go's build cache: .*\n {2}Go's module cache: .*\n {2}gopls's own cache: /,
  );
  assert.ok(!fs.existsSync(unused));
  assert.ok(fs.existsSync(next), "the build a warm start names is kept");
  assert.ok(!fs.existsSync(path.join(home, "tmp", "run-999999-abc")));

  // The launcher `link` makes (built with the Go it finds).
  const bin = path.join(base, "bin");
  fs.mkdirSync(bin);
  execFileSync("chown", [`${USER}:${USER}`, bin]);
  const linked = await asUser(USER, [process.execPath, guard, "link", bin], {
    ...env,
    PATH: "/usr/bin:/bin",
  });
  assert.equal(linked.code, 0, linked.stderr);
  assert.ok(fs.existsSync(path.join(bin, "gopls")));

  const all = await asUser(USER, [process.execPath, guard, "clean", "--all"], env);
  assert.equal(all.code, 0, all.stdout + all.stderr);
  assert.ok(!fs.existsSync(home), all.stdout);
  assert.ok(!fs.lstatSync(path.join(bin, "gopls"), { throwIfNoEntry: false }), all.stdout);
  assert.match(all.stdout, /the config file: /);
});

test("clean --all refuses while a session runs, and removes nothing", { skip }, async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "gg-clean-"));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.mkdirSync(path.join(base, "sessions"), { recursive: true });
  fs.writeFileSync(
    path.join(base, "sessions", `${process.pid}.json`),
    JSON.stringify({ guardPid: process.pid, startedAt: new Date().toISOString() }),
  );
  execFileSync("chown", ["-R", "gg-alice:gg-alice", base]);
  const r = await asUser("gg-alice", [process.execPath, publicGuard(t), "clean", "--all"], {
    PATH: "/usr/bin:/bin",
    GOPLS_GUARD_HOME: base,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /1 session is running \(gopls-guard status\): close their editors first/);
  assert.ok(fs.existsSync(path.join(base, "sessions")));
});
