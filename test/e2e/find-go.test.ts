// go.missing reproduced for real: in a private mount namespace the Go at the well-known place
// (/usr/local/go) is hidden under an empty tmpfs, the editor's PATH has no go, and the only Go
// left is one the user's real login shell (bash, reading ~/.profile) puts on its PATH: the guard
// must find it the way a terminal would, use it, and say why the editor did not. Then with no
// Go anywhere: an error naming every place it looked, and a session that still answers.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { parseReport } from "../helpers/report.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];
const root = process.getuid?.() === 0;
const skip = !root
  ? "needs root for a private mount namespace"
  : !fs.existsSync("/usr/local/go/bin/go")
    ? "needs the Go at /usr/local/go to hide"
    : false;
// The Go to hide: the one at the well-known place (read only when the tests run).
const goroot = () => path.dirname(path.dirname(fs.realpathSync("/usr/local/go/bin/go")));

/** unshare + mounts, then the guard: argv for a command that runs in the namespace. */
function inNamespace(elsewhere: string, guardArgs: string[]): string[] {
  const script = [
    "set -e",
    `mount --bind "${goroot()}" "${elsewhere}"`,
    `mount -t tmpfs -o size=64k tmpfs "${goroot()}"`,
    'exec "$@"',
  ].join("\n");
  return ["-m", "sh", "-c", script, "sh", process.execPath, GUARD, ...guardArgs];
}

/** A user whose ~/.profile (read by bash -l) adds the Go that is nowhere else. */
function userWithProfile(t: T, profileLine: string): { home: string; elsewhere: string } {
  const home = tempDir(t);
  const elsewhere = path.join(tempDir(t), "go-elsewhere");
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(home, ".profile"), `${profileLine}\n`);
  return { home, elsewhere };
}

function env(t: T, home: string): NodeJS.ProcessEnv {
  return guardEnv(tempDir(t), {
    HOME: home,
    SHELL: "/bin/bash",
    PATH: "/usr/bin:/bin",
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOPROXY: "off",
    GOSUMDB: "off",
    GOFLAGS: "",
    GOCACHE: path.join(tempDir(t), "gocache"),
  });
}

async function doctor(args: string[], e: NodeJS.ProcessEnv) {
  const r = await run("unshare", args, { env: e }).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return parseReport(r as { stdout: string });
}

test("go only on the login shell's PATH, the well-known place hidden: found, used, and the editor told", {
  skip,
}, async (t) => {
  const { home, elsewhere } = userWithProfile(t, "");
  fs.writeFileSync(path.join(home, ".profile"), `export PATH="${elsewhere}/bin:$PATH"\n`);
  const e = env(t, home);

  const report = await doctor(inNamespace(elsewhere, ["doctor", "--json"]), e);
  assert.equal(report.facts.go?.source, "login shell PATH");
  assert.equal(report.facts.go?.path, path.join(elsewhere, "bin", "go"));
  const f = report.findings.find((x) => x.id === "go.missing");
  assert.equal(f?.severity, "warning");
  assert.match(f?.message ?? "", /go is not on PATH; the guard uses .*go-elsewhere\/bin\/go/);
  assert.equal(f?.evidence.PATH, "/usr/bin:/bin");
  assert.match(f?.fix ?? "", /~\/\.profile|environment\.d/);

  // A first session (its own guard home: the doctor's run left a warm start behind).
  const peer = new Peer(inNamespace(elsewhere, []), env(t, home), undefined, "unshare");
  t.after(() => peer.kill());
  await peer.initialize({}, 30_000);
  const shown = await peer.waitFor("the warning", (m) =>
    /\[go\.missing\] go is not on PATH; the guard uses/.test(JSON.stringify(m.params ?? "")),
  );
  assert.equal((shown.params as { type: number }).type, 2);
  assert.deepEqual((await peer.call("standin/echo", ["ok"])).result, ["ok"]);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("no Go on PATH, in the login shell or the well-known places: an error listing them, and a session that answers", {
  skip,
}, async (t) => {
  const { home, elsewhere } = userWithProfile(t, "# nothing about Go here");
  const e = env(t, home);

  const report = await doctor(inNamespace(elsewhere, ["doctor", "--json"]), e);
  const f = report.findings.find((x) => x.id === "go.missing");
  assert.equal(f?.severity, "error");
  assert.match(f?.message ?? "", /Go is not installed where the guard can find it/);
  assert.match(
    f?.evidence["also looked in"] ?? "",
    /login shell \/bin\/bash PATH, \/usr\/local\/go\/bin, \/usr\/lib\/go\/bin, .*\/go\/bin/,
  );
  assert.match(f?.fix ?? "", /https:\/\/go\.dev\/dl\//);

  const peer = new Peer(inNamespace(elsewhere, []), e, undefined, "unshare");
  t.after(() => peer.kill());
  const init = await peer.initialize({}, 30_000);
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  // The failure's one message (the request with Retry) follows the initialize answer.
  await peer.waitFor("the failure", () =>
    peer
      .showMessages()
      .some((m) => /\[go\.missing\] Go is not installed where the guard can find it/.test(m)),
  );
  const hover = await peer.call("textDocument/hover", {
    textDocument: { uri: "file:///w/a.go" },
    position: { line: 0, character: 0 },
  });
  assert.match(
    hover.error?.message ?? "",
    /gopls is not running \(it could not be started: go\.missing\)/,
  );
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});
