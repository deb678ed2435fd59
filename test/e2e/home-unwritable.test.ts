// A guard home the user cannot write, for real (as an unprivileged user: root ignores mode
// bits): left root-owned by a `sudo` run, or chmod 555. No command dies (exit 70): each says
// what is wrong with the home, with its owner, mode and fix, moves its logs and state to a
// per-user place, and still runs the gopls build it finds in the old home.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { realGopls } from "../helpers/env.js";
import { Peer } from "../helpers/peer.js";
import { asUser, ensureUsers, homeOf, publicGuard, usersUnavailable } from "../helpers/users.js";

const skip = usersUnavailable();
const USER = "gg-alice";

before(() => {
  if (!skip) ensureUsers();
});

type T = { after(fn: () => void): void };

function uidOf(user: string): [number, number] {
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  const [uid, gid] = (line ?? "").split(":").slice(2, 4).map(Number);
  return [uid as number, gid as number];
}

/** A guard home holding a real gopls v0.23.0 build, owned and moded as given; and a cache dir for the user. */
function setUp(t: T, owner: "root" | typeof USER, mode: number) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "gg-home-"));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.chmodSync(base, 0o755);
  const home = path.join(base, "home");
  const build = path.join(home, "gopls", "gopls-v0.23.0-go1.26");
  fs.mkdirSync(build, { recursive: true });
  fs.copyFileSync(realGopls(), path.join(build, "gopls"));
  fs.chmodSync(path.join(build, "gopls"), 0o755);
  const cache = path.join(base, "cache");
  fs.mkdirSync(cache);
  const [uid, gid] = uidOf(USER);
  fs.chownSync(cache, uid, gid);
  if (owner === USER)
    for (const d of [home, path.join(home, "gopls"), build]) fs.chownSync(d, uid, gid);
  fs.chmodSync(home, mode);
  const env: NodeJS.ProcessEnv = {
    PATH: "/usr/local/go/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    GOPLS_GUARD_HOME: home,
    GOPLS_GUARD_CONFIG: "/nonexistent/config.json",
    GOPLS_GUARD_GOPLS_VERSION: "v0.23.0",
    GOPLS_GUARD_CHECKS: "off",
    XDG_CACHE_HOME: cache,
    // Offline: the pin cannot be confirmed with the proxy, so the installed build is used.
    GOPROXY: "off",
    GOFLAGS: "",
  };
  return { home, build, cache, env };
}

for (const [owner, mode, id, fix] of [
  ["root", 0o755, "fs.foreign_owner", /sudo chown -hR "\$\(id -un\):" .*\/home/],
  [USER, 0o555, "fs.install_dir_unwritable", /chmod -R u\+w .*\/home/],
] as const) {
  test(`a guard home ${owner === "root" ? "left root-owned by sudo" : "chmod 555"}: every command reports ${id} and still runs the installed gopls`, {
    skip,
    timeout: 120_000,
  }, async (t) => {
    const guard = publicGuard(t);
    const { home, build, cache, env } = setUp(t, owner, mode);
    const fallback = path.join(cache, "gopls-guard");

    for (const argv of [["which"], ["install"], ["version"], ["doctor"]]) {
      const r = await asUser(USER, [guard, ...argv], env);
      assert.doesNotMatch(r.stderr, /internal error/, `${argv}: ${r.stderr}`);
      assert.notEqual(r.code, 70, argv.join(" "));
      const said = `${r.stdout}${r.stderr}`;
      assert.match(
        said,
        new RegExp(
          `\\[?${id.replace(".", "\\.")}\\]? .*The guard's home ${home} cannot be written`,
        ),
        argv.join(" "),
      );
      assert.equal(
        said.split(`home ${home} cannot be written`).length - 1,
        1,
        `${argv}: said once`,
      );
    }
    const which = await asUser(USER, [guard, "which"], env);
    assert.equal(which.code, 0, which.stderr);
    assert.equal(which.stdout.trim().split("\n").at(-1), path.join(build, "gopls"));
    const version = await asUser(USER, [guard, "version"], env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /golang\.org\/x\/tools\/gopls v0\.23\.0/);

    const doctor = await asUser(USER, [guard, "doctor", "--json"], env);
    const report = JSON.parse(doctor.stdout) as {
      findings: Array<{
        id: string;
        evidence: Record<string, string>;
        fix: string;
        message: string;
      }>;
      facts: { guard: { log: string } };
    };
    const f = report.findings.filter((x) => x.id === id);
    assert.equal(f.length, 1);
    assert.match(
      f[0]?.evidence.owner ?? "",
      new RegExp(
        `uid ${owner === "root" ? 0 : uidOf(USER)[0]}, gid \\d+, mode ${mode.toString(8)}`,
      ),
    );
    assert.match(f[0]?.fix ?? "", fix);
    assert.match(f[0]?.fix ?? "", /GOPLS_GUARD_HOME/);
    assert.ok(
      report.facts.guard.log.startsWith(path.join(fallback, "logs")),
      report.facts.guard.log,
    );
    assert.equal(
      report.findings.filter((x) => x.id === "fs.install_dir_unwritable" && x !== f[0]).length,
      0,
      "the home's finding says it all",
    );

    // The editor: initialize answered by the real gopls, and the home's fault shown.
    const peer = new Peer(
      ["--reuid", USER, "--regid", USER, "--init-groups", "--", process.execPath, guard],
      { ...env, HOME: homeOf(USER) },
      undefined,
      "setpriv",
    );
    t.after(() => peer.kill());
    const init = await peer.initialize({}, 60_000);
    assert.equal((init.result as { serverInfo?: { name: string } }).serverInfo?.name, "gopls");
    assert.ok(
      peer
        .showMessages()
        .some((m) => m.includes(`[${id}] The guard's home ${home} cannot be written`)),
      peer.showMessages().join("\n"),
    );
    assert.equal((await peer.call("shutdown")).result, null);
    peer.notify("exit");
    assert.equal((await peer.exited).code, 0);
  });
}
