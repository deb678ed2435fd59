// Every fault reaches the user in every client: each client profile (test/fixtures/clients, read
// from that client's source) against four real situations, with the real gopls wherever gopls
// runs. For each, the test asserts that the user saw the fault through a channel that client
// displays, could act on it through what that client offers (or the guard recovered by itself,
// for an agent that can do neither), and that gopls's own diagnostics came through.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { cacheProxy } from "../helpers/cache-proxy.js";
import { copyFixture, realGopls, realGoplsVersion, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { childrenOf, cmdline, waitUntil } from "../helpers/procs.js";
import { loadProfiles, type Profile, ProfileClient } from "../helpers/profile-client.js";

const GO = execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
const MODCACHE = execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim();
const cached = fs.existsSync(
  path.join(MODCACHE, "cache/download/golang.org/x/tools/gopls/@v", `${realGoplsVersion()}.zip`),
);
const noCache = cached
  ? false
  : `gopls ${realGoplsVersion()} is not in the module cache (npm test's set-up puts it there)`;

/** What each profile's user saw and did, per scenario: printed for the closing note. */
const record: string[] = [];
after(() => {
  if (process.env.GOPLS_GUARD_TEST_CLIENT_REPORT)
    fs.writeFileSync(process.env.GOPLS_GUARD_TEST_CLIENT_REPORT, `${record.join("\n")}\n`);
});

type T = Parameters<typeof tempDir>[0];

/** gopls's own diagnostic for the fixture (a type error in hello.go) reached the client. */
async function goplsDiagnostics(c: ProfileClient, uri: string): Promise<void> {
  await waitUntil(
    `${c.profile.profile}: gopls's diagnostics for hello.go`,
    () =>
      c.diagnostics(uri).some((d) => d.source !== "gopls-guard" && /not an int/.test(d.message)),
    60_000,
  );
}

function session(t: T, p: Profile, extra: NodeJS.ProcessEnv) {
  const dir = copyFixture(t, "hello");
  const agent = p.handles["codeAction.command"] === "unsupported";
  const env = guardEnv(tempDir(t), {
    GOSUMDB: "off",
    GOPLS_GUARD_RESTART_BACKOFF_MS: "20",
    // Only an agent has no way to ask for a Retry: there the guard's own comes quickly.
    GOPLS_GUARD_AUTO_RETRY_MS: agent ? "500" : "600000",
    ...extra,
  });
  const c = new ProfileClient(p, env, dir);
  t.after(() => c.close());
  return { c, dir, hello: path.join(dir, "hello.go"), agent };
}

/** Acts (or, for an agent, lets the guard retry by itself); returns what the user did. */
async function actOn(c: ProfileClient, id: string, title: string, agent: boolean): Promise<string> {
  const how = await c.act(id, title);
  if (how) return how;
  assert.ok(agent, `${c.profile.profile} offered no way to act on ${id}`);
  return "nothing (it cannot): the guard retried by itself";
}

function note(p: Profile, scenario: string, channels: string[], did: string): void {
  record.push(`${p.profile} | ${scenario} | ${channels.join(", ")} | ${did}`);
}

function neverAsked(c: ProfileClient): void {
  const declares = Boolean(
    (c.profile.initialize.capabilities.window as { showMessage?: unknown } | undefined)
      ?.showMessage,
  );
  if (!declares)
    assert.ok(
      !c.peer.received.some((m) => m.method === "window/showMessageRequest"),
      `${c.profile.profile} does not declare window.showMessage but was sent a request`,
    );
}

for (const p of loadProfiles()) {
  describe(`${p.profile} (${p.client} ${p.version})`, { concurrency: 1 }, () => {
    test("the module proxy unreachable on a cold start, then reachable: the user acts, gopls comes up", {
      skip: noCache,
      timeout: 180_000,
    }, async (t) => {
      const proxy = await cacheProxy(MODCACHE, realGoplsVersion());
      t.after(() => proxy.close());
      const { c, dir, hello, agent } = session(t, p, { GOPROXY: proxy.url });
      await c.initialize(dir);
      const uri = c.openFile(hello);
      const channels = await c.waitToSee("proxy.unreachable");
      neverAsked(c);
      await proxy.start();
      const did = await actOn(c, "proxy.unreachable", "Retry", agent);
      await goplsDiagnostics(c, uri);
      // The install's progress: on a token the guard created, where the client shows progress
      // but gave no token of its own.
      const window = p.initialize.capabilities.window as { workDoneProgress?: boolean } | undefined;
      if (window?.workDoneProgress && !p.initialize.workDoneToken) {
        const create = c.peer.received.find((m) => m.method === "window/workDoneProgress/create");
        assert.ok(create, `${p.profile}: no progress token created`);
        const { token } = create.params as { token: string };
        const kinds = c.peer.received
          .filter(
            (m) => m.method === "$/progress" && (m.params as { token: string }).token === token,
          )
          .map((m) => (m.params as { value: { kind: string } }).value.kind);
        assert.equal(kinds[0], "begin", `${p.profile}: ${JSON.stringify(kinds)}`);
        assert.equal(kinds.at(-1), "end");
      }
      await waitUntil("the fault withdrawn", () =>
        c.channelsFor("proxy.unreachable").every((ch) => ch !== "diagnostic"),
      );
      note(p, "proxy unreachable, then back", channels, did);
    });

    test("GOPROXY=off in go's env file: one message, fixed with go env -w, then Retry", {
      skip: noCache,
      timeout: 180_000,
    }, async (t) => {
      const proxy = await cacheProxy(MODCACHE, realGoplsVersion());
      await proxy.start();
      t.after(() => proxy.close());
      const goenv = path.join(tempDir(t), "go.env");
      fs.writeFileSync(goenv, "GOPROXY=off\n");
      const { c, dir, hello, agent } = session(t, p, { GOENV: goenv, GOPROXY: undefined });
      await c.initialize(dir);
      const uri = c.openFile(hello);
      const channels = await c.waitToSee("proxy.off");
      neverAsked(c);
      assert.ok(c.popupsFor("proxy.off") <= 1, `${p.profile}: proxy.off said more than once`);
      execFileSync(path.join(GO, "bin", "go"), ["env", "-w", `GOPROXY=${proxy.url}`], {
        env: { ...process.env, GOENV: goenv },
      });
      const did = await actOn(c, "proxy.off", "Retry", agent);
      await goplsDiagnostics(c, uri);
      note(p, "GOPROXY=off", channels, `go env -w GOPROXY=…, then ${did}`);
    });

    test("Go off the editor's PATH: said, and gopls's diagnostics arrive (it gets that Go)", {
      timeout: 120_000,
    }, async (t) => {
      const { c, dir, hello } = session(t, p, {
        PATH: "/usr/bin:/bin",
        GOPLS_GUARD_GOPLS: realGopls(),
      });
      await c.initialize(dir);
      const uri = c.openFile(hello);
      const channels = await c.waitToSee("go.missing");
      await goplsDiagnostics(c, uri);
      neverAsked(c);
      note(p, "Go off PATH", channels, "nothing needed: gopls runs with that Go first on its PATH");
    });

    test("gopls crashing too often: said with its count, and Restart brings it back", {
      timeout: 120_000,
    }, async (t) => {
      const { c, dir, hello, agent } = session(t, p, { GOPLS_GUARD_GOPLS: realGopls() });
      await c.initialize(dir);
      const uri = c.openFile(hello);
      await goplsDiagnostics(c, uri);
      const gopls = () => childrenOf(c.peer.pid).find((pid) => /gopls/.test(cmdline(pid)));
      for (let k = 0; k < 6; k++) {
        let pid: number | undefined;
        await waitUntil(
          "a gopls to kill",
          () => {
            pid = gopls();
            return pid !== undefined;
          },
          20_000,
        );
        process.kill(pid as number, "SIGKILL");
        await waitUntil("it is gone", () => gopls() !== pid, 20_000);
      }
      const channels = await c.waitToSee(
        "gopls.crash",
        /6th crash in 3 minutes; it is not restarted again/,
      );
      neverAsked(c);
      // The guard's error on hello.go carries gopls's last diagnostics: none is lost.
      assert.ok(
        c.diagnostics(uri).some((d) => d.source !== "gopls-guard" && /not an int/.test(d.message)),
        JSON.stringify(c.diagnostics(uri)),
      );
      if (agent) {
        note(
          p,
          "crashing too often",
          channels,
          "nothing it can do in the session: restarts the server",
        );
        return;
      }
      const did = await actOn(c, "gopls.crash", "Restart gopls", agent);
      await waitUntil("gopls back", () => gopls() !== undefined, 20_000);
      await waitUntil(
        "the error withdrawn, gopls's diagnostics kept",
        () =>
          !c.diagnostics(uri).some((d) => d.source === "gopls-guard") &&
          c.diagnostics(uri).some((d) => /not an int/.test(d.message)),
        20_000,
      );
      note(p, "crashing too often", channels, did);
    });
  });
}
