// Several users on one machine: a group install directory that user B can use after user A
// built into it, and an install directory nobody can write, which falls back per user.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { REAL_GO } from "../helpers/gocount.js";
import { type GoProxy, startGoProxy } from "../helpers/goproxy.js";
import {
  asUser,
  ensureUsers,
  GROUP,
  publicGuard,
  type User,
  usersUnavailable,
} from "../helpers/users.js";

const skip = usersUnavailable();
let proxy: GoProxy;

before(async () => {
  if (skip) return;
  ensureUsers();
  proxy = await startGoProxy([
    { version: "v0.1.0", go: "1.21" },
    { version: "v0.2.0", go: "1.21" },
  ]);
});
after(() => proxy?.close());

type T = { after(fn: () => void): void };

/** A directory everyone can enter, removed after the test. */
function openDir(t: T): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-users-"));
  fs.chmodSync(dir, 0o755);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A go that records each call, usable by every test user. */
function sharedCountingGo(dir: string): { path: string; installs(user: User): number } {
  const shim = path.join(dir, "go");
  fs.writeFileSync(
    shim,
    `#!/bin/sh\necho "$(id -un) $*" >> "${dir}/go-calls.log"\nexec "${REAL_GO}" "$@"\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(dir, "go-calls.log"), "", { mode: 0o666 });
  fs.chmodSync(path.join(dir, "go-calls.log"), 0o666);
  return {
    path: shim,
    installs: (user) =>
      fs
        .readFileSync(path.join(dir, "go-calls.log"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`${user} install `)).length,
  };
}

/** A fresh GOPLS_GUARD_HOME for the user inside base (removed with it). */
function guardHome(base: string, user: User): string {
  const home = path.join(base, `home-${user}`);
  fs.mkdirSync(home, { recursive: true });
  const [uid, gid] =
    fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${user}:`))
      ?.split(":")
      .slice(2, 4)
      .map(Number) ?? [];
  fs.chownSync(home, uid as number, gid as number);
  return home;
}

function userEnv(user: User, go: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: "C.UTF-8" };
  return {
    ...env,
    GOPLS_GUARD_HOME: guardHome(path.dirname(go), user),
    GOPLS_GUARD_CONFIG: "/nonexistent/config.json",
    GOPLS_GUARD_GO: go,
    GOPROXY: proxy.url,
    GONOSUMDB: "golang.org/x/tools/gopls",
    GOFLAGS: "-modcacherw",
    ...extra,
  };
}

function groupId(): number {
  return Number(
    fs
      .readFileSync("/etc/group", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${GROUP}:`))
      ?.split(":")[2],
  );
}

/** A group-writable, setgid install dir under root's ownership, with the guard and a counting go. */
function sharedGroupDir(t: T) {
  const guard = publicGuard(t);
  const base = openDir(t);
  const go = sharedCountingGo(base);
  const shared = path.join(base, "tools");
  fs.mkdirSync(shared);
  fs.chownSync(shared, 0, groupId());
  fs.chmodSync(shared, 0o2775);
  return { guard, base, go, shared };
}

test("a shared group directory: user B never runs a build user A made or planted there; B's own goes to B's dir, and B can still install into the shared one", {
  skip,
}, async (t) => {
  const { guard, base, go, shared } = sharedGroupDir(t);
  const extra = { GOPLS_GUARD_INSTALL_DIR: shared };
  const a = await asUser("gg-alice", [guard, "install"], userEnv("gg-alice", go.path, extra));
  assert.equal(a.code, 0, a.stderr);
  const built = a.stdout.trim();
  assert.ok(built.startsWith(`${shared}/gopls-v0.2.0-go1.`), built);
  // Not group-writable, in a group-writable root: no member can swap the binary inside.
  const dir = fs.statSync(path.dirname(built));
  assert.equal(dir.mode & 0o7777, 0o755, `mode ${(dir.mode & 0o7777).toString(8)}`);
  assert.equal(fs.statSync(built).mode & 0o777, 0o755);
  assert.equal(go.installs("gg-alice"), 1);
  // Alice's build, turned into what a hostile member plants: it claims to be gopls and runs code.
  const marker = path.join(base, "ran-as-bob");
  const real = `${built}.real`;
  fs.renameSync(built, real);
  fs.writeFileSync(built, `#!/bin/sh\ntouch ${marker}\nexec ${real} "$@"\n`, { mode: 0o755 });
  const aliceUid = fs.statSync(path.dirname(built)).uid;
  fs.chownSync(built, aliceUid, groupId());

  const bobEnv = userEnv("gg-bob", go.path, extra);
  const install = await asUser("gg-bob", [guard, "install"], bobEnv);
  assert.equal(install.code, 0, install.stderr);
  assert.match(
    install.stderr,
    /belongs to gg-alice \(uid \d+\), not to you or root.*Your own is used instead/,
  );
  const version = await asUser("gg-bob", [guard, "version"], bobEnv);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), "golang.org/x/tools/gopls v0.2.0");
  assert.equal(fs.existsSync(marker), false, "bob ran a build alice could have planted");
  assert.equal(go.installs("gg-bob"), 1);
  const which = await asUser("gg-bob", [guard, "which"], bobEnv);
  assert.ok(which.stdout.trim().startsWith(`${bobEnv.GOPLS_GUARD_HOME}/gopls/gopls-v0.2.0-go1.`));

  // The lock and its notes left by alice do not stand in bob's way.
  const pinned = await asUser("gg-bob", [guard, "install", "--version", "v0.1.0"], bobEnv);
  assert.equal(pinned.code, 0, pinned.stderr);
  assert.ok(pinned.stdout.trim().startsWith(`${shared}/gopls-v0.1.0-go1.`));
  assert.equal(go.installs("gg-bob"), 2);
});

test("an install directory only its owner (root) can write: root installs once, every user runs that build", {
  skip,
}, async (t) => {
  const guard = publicGuard(t);
  const base = openDir(t);
  const go = sharedCountingGo(base);
  const admin = path.join(base, "admin-tools");
  fs.mkdirSync(admin, { mode: 0o755 });
  const rootEnv = {
    ...userEnv("gg-alice", go.path, { GOPLS_GUARD_INSTALL_DIR: admin }),
    GOPLS_GUARD_HOME: path.join(base, "home-root"),
    HOME: path.join(base, "home-root"),
    GOMODCACHE: path.join(base, "root-modcache"),
    GOCACHE: path.join(base, "root-gocache"),
  };
  // Asynchronously: the module proxy answering go runs in this process.
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const built = (
    await promisify(execFile)(process.execPath, [guard, "install"], { env: rootEnv })
  ).stdout.trim();
  assert.ok(built.startsWith(`${admin}/gopls-v0.2.0-go1.`), built);
  for (const user of ["gg-alice", "gg-bob"] as const) {
    const env = userEnv(user, go.path, { GOPLS_GUARD_INSTALL_DIR: admin });
    const which = await asUser(user, [guard, "which"], env);
    assert.equal(which.stdout.trim(), built, which.stderr);
    const version = await asUser(user, [guard, "version"], env);
    assert.equal(version.stdout.trim(), "golang.org/x/tools/gopls v0.2.0", version.stderr);
    assert.equal(go.installs(user), 0);
  }
});

test("an install directory the user cannot write: the per-user directory instead, with the fix", {
  skip,
}, async (t) => {
  const guard = publicGuard(t);
  const base = openDir(t);
  const go = sharedCountingGo(base);
  const locked = path.join(base, "root-only");
  fs.mkdirSync(locked, { mode: 0o755 });
  const env = userEnv("gg-bob", go.path, { GOPLS_GUARD_INSTALL_DIR: locked });
  const r = await asUser("gg-bob", [guard, "install"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /\[fs\.install_dir_unwritable\] The install directory .*root-only is not writable\. Installing into .*home-gg-bob\/gopls instead\./,
  );
  assert.match(r.stderr, /error: EACCES; owner: uid 0/);
  assert.match(r.stderr, /chown|chmod 2775/);
  assert.ok(
    r.stdout
      .trim()
      .startsWith(path.join(env.GOPLS_GUARD_HOME as string, "gopls", "gopls-v0.2.0-go1.")),
    r.stdout,
  );
  assert.deepEqual(fs.readdirSync(locked), []);
});

test("a group member's symlinks at every name the lock's owner note could take: the victim's file is untouched", {
  skip,
}, async (t) => {
  const { guard, base, go, shared } = sharedGroupDir(t);
  // Alice's private file, and bob's links to it at the names the next few thousand pids would
  // give the owner note (pids are handed out in order).
  const env = userEnv("gg-alice", go.path, { GOPLS_GUARD_INSTALL_DIR: shared });
  const secret = path.join(env.GOPLS_GUARD_HOME as string, "secret");
  fs.writeFileSync(secret, "alice's\n", { mode: 0o600 });
  const aliceUid = fs.statSync(env.GOPLS_GUARD_HOME as string).uid;
  fs.chownSync(secret, aliceUid, aliceUid);
  fs.chmodSync(env.GOPLS_GUARD_HOME as string, 0o755);
  const bobUid = Number(
    fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("gg-bob:"))
      ?.split(":")[2],
  );
  const next = Number(fs.readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));
  for (let pid = next; pid < next + 3000; pid++) {
    const link = path.join(shared, `.install.owner.json.${pid}`);
    fs.symlinkSync(secret, link);
    fs.lchownSync(link, bobUid, groupId());
  }
  const a = await asUser("gg-alice", [guard, "install"], env);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(fs.readFileSync(secret, "utf8"), "alice's\n");
  assert.equal(fs.statSync(secret).mode & 0o777, 0o600);
});
