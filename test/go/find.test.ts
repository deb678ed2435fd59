import assert from "node:assert/strict";
import { test } from "node:test";
import { findGo, wellKnownDirs } from "../../src/go/find.js";

const seams = (files: string[], over: object = {}) => ({
  explicit: undefined,
  env: { PATH: "/usr/bin:/bin" },
  platform: "linux" as NodeJS.Platform,
  homedir: "/home/u",
  isExecutable: (p: string) => files.includes(p),
  listDir: (p: string) => (p === "/home/u/sdk" ? ["go1.21.0", "go1.22.5", "gotip-notes"] : []),
  ...over,
});

test("go on the editor's PATH wins, with no warning", async () => {
  const r = await findGo(seams(["/bin/go", "/usr/local/go/bin/go"]));
  assert.deepEqual(r, { ok: true, value: { path: "/bin/go", source: "PATH" } });
});

test("go found only by the login shell: used, with a warning naming the directory", async () => {
  const r = await findGo(
    seams(["/opt/go/bin/go"], {
      loginShell: async () => ({ shell: "/bin/zsh", env: { PATH: "/opt/go/bin:/usr/bin" } }),
    }),
  );
  assert.ok(r.ok);
  assert.equal(r.value.source, "login shell PATH");
  assert.equal(r.value.warning?.id, "go.missing");
  assert.equal(r.value.warning?.severity, "warning");
  assert.match(r.value.warning?.fix ?? "", /\/opt\/go\/bin/);
});

test("well-known places are searched, newest SDK first; macOS and Windows have their own", async () => {
  const r = await findGo(seams(["/home/u/sdk/go1.22.5/bin/go", "/home/u/sdk/go1.21.0/bin/go"]));
  assert.ok(r.ok);
  assert.equal(r.value.path, "/home/u/sdk/go1.22.5/bin/go");
  assert.match(r.value.warning?.fix ?? "", /environment\.d|~\/\.profile/);
  const mac = await findGo(
    seams(["/opt/homebrew/bin/go"], { platform: "darwin", homedir: "/Users/u" }),
  );
  assert.ok(mac.ok);
  assert.match(mac.value.warning?.fix ?? "", /launchctl config user path/);
  const win = await findGo(
    seams(["C:\\Program Files\\Go\\bin\\go.exe"], {
      platform: "win32",
      homedir: "C:\\Users\\u",
      env: { PATH: "C:\\Windows", ProgramFiles: "C:\\Program Files" },
    }),
  );
  assert.ok(win.ok);
  assert.equal(win.value.path, "C:\\Program Files\\Go\\bin\\go.exe");
  assert.match(win.value.warning?.fix ?? "", /Environment Variables/);
  assert.ok(
    wellKnownDirs(
      { env: { USERPROFILE: "C:\\Users\\u" }, platform: "win32", homedir: "C:\\Users\\u" },
      () => ["go1.22.0"],
    ).includes("C:\\Users\\u\\sdk\\go1.22.0\\bin"),
  );
});

test("no go anywhere: go.missing lists where it looked", async () => {
  const r = await findGo(
    seams([], { loginShell: async () => ({ shell: "/bin/bash", env: { PATH: "/usr/bin" } }) }),
  );
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.finding.id, "go.missing");
  assert.match(
    r.finding.evidence["also looked in"] ?? "",
    /login shell \/bin\/bash PATH, \/usr\/local\/go\/bin, \/usr\/lib\/go\/bin/,
  );
  assert.match(r.finding.fix, /go\.dev\/dl/);
});

test("GOPLS_GUARD_GO is used as given, or reported when it is not executable", async () => {
  assert.deepEqual(await findGo(seams(["/x/go"], { explicit: "/x/go" })), {
    ok: true,
    value: { path: "/x/go", source: "GOPLS_GUARD_GO" },
  });
  const bad = await findGo(seams(["/bin/go"], { explicit: "/nope/go" }));
  assert.equal(bad.ok ? "" : bad.finding.id, "go.missing");
});
