// Real editors, headless, through gopls-guard: Neovim's built-in client (with the shipped
// editors/neovim/start_client.lua) and Emacs with Eglot (with editors/emacs/eglot.el). A Go file
// gets its diagnostic and its hover; a broken environment's error reaches the editor.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { copyFixture, GUARD, ROOT, realGopls, realGoplsVersion, tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";
import { guardEnv } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

const run = promisify(execFile);
const has = (cmd: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const noNvim = has("nvim")
  ? false
  : "neovim is not installed (npm test installs it from Debian's packages as root)";
const noEmacs = has("emacs")
  ? false
  : "emacs is not installed (npm test installs it from Debian's packages as root)";

interface EditorResult {
  diagnostics: Array<{ message: string }>;
  hover: string;
  messages: Array<{ type: number; message: string }>;
  /** Neovim: the guard's diagnostics in vim.diagnostic.get(), before and after the action. */
  guard?: Array<{ code: string; message: string; file: string }>;
  guard_after?: unknown[];
  /** Emacs: Flymake's texts before and after the action. */
  flymake?: string[];
  flymake_after?: string[];
  /** The code action's title the user picked. */
  chosen?: string | null;
}

type T = Parameters<typeof tempDir>[0];

async function neovim(
  t: T,
  extra: NodeJS.ProcessEnv,
  home = tempDir(t),
  dir = copyFixture(t, "hello"),
): Promise<EditorResult> {
  const out = path.join(tempDir(t), "result.json");
  const env = {
    ...guardEnv(home, extra),
    GG_OUT: out,
    GG_FILE: path.join(dir, "hello.go"),
    GG_GUARD: GUARD,
    GG_CONFIG: path.join(ROOT, "editors", "neovim", "start_client.lua"),
  };
  await run(
    "nvim",
    [
      "--headless",
      // No swap file: two editors on one file (shared mode) would stop at its prompt.
      "-n",
      "-u",
      "NONE",
      "-i",
      "NONE",
      "-c",
      `luafile ${path.join(ROOT, "test", "editors", "nvim-session.lua")}`,
    ],
    { env, cwd: dir, timeout: 90_000 },
  );
  return JSON.parse(fs.readFileSync(out, "utf8")) as EditorResult;
}

async function emacs(t: T, extra: NodeJS.ProcessEnv, before: string[] = []): Promise<EditorResult> {
  const dir = copyFixture(t, "hello");
  const out = path.join(tempDir(t), "result.json");
  const env = {
    ...guardEnv(tempDir(t), extra),
    GG_OUT: out,
    GG_FILE: path.join(dir, "hello.go"),
    GOPLS_GUARD_CMD: GUARD,
    HOME: tempDir(t),
  };
  await run(
    "emacs",
    [
      "--batch",
      "-Q",
      ...before.flatMap((form) => ["--eval", form]),
      "-l",
      path.join(ROOT, "editors", "emacs", "eglot.el"),
      "-l",
      path.join(ROOT, "test", "editors", "eglot-session.el"),
    ],
    { env, cwd: dir, timeout: 90_000 },
  );
  return JSON.parse(fs.readFileSync(out, "utf8")) as EditorResult;
}

for (const [name, drive, skip] of [
  ["Neovim", neovim, noNvim],
  ["Emacs with Eglot", emacs, noEmacs],
] as const) {
  test(`${name}: a diagnostic and a hover through the guard`, {
    skip,
    timeout: 120_000,
  }, async (t) => {
    const r = await drive(t, { GOPLS_GUARD_GOPLS: realGopls() });
    assert.ok(
      r.diagnostics.some((d) => /not an int|cannot use "not an int"/.test(d.message)),
      JSON.stringify(r.diagnostics),
    );
    assert.match(r.hover, /Greet returns a friendly greeting/);
    assert.deepEqual(
      r.messages.filter((m) => m.type === 1),
      [],
    );
  });

  test(`${name}: a broken environment's error reaches the editor`, {
    skip,
    timeout: 120_000,
  }, async (t) => {
    const r = await drive(t, { GOPLS_GUARD_GO: "/nonexistent/go" });
    const errors = r.messages.filter((m) => m.type === 1).map((m) => m.message);
    assert.ok(
      errors.some((m) =>
        /\[go\.missing\] GOPLS_GUARD_GO does not name an executable go binary/.test(m),
      ),
      JSON.stringify(r.messages),
    );
  });
}

/**
 * GOPLS_GUARD_GO names a go that is not there yet; the editor script makes it (the user's fix)
 * once it has seen the fault, then picks the code action whose title has "Retry".
 */
function missingGoFixedByRetry(t: T): NodeJS.ProcessEnv {
  const go = path.join(tempDir(t), "go");
  return {
    GOPLS_GUARD_GO: go,
    GOPLS_GUARD_GOPLS: realGopls(),
    GG_ACTION: "Retry",
    GG_FIX_LINK: go,
    GG_FIX_SOURCE: REAL_GO,
  };
}

test("Neovim: Go missing is a diagnostic in vim.diagnostic.get(), and its code action runs the Retry", {
  skip: noNvim,
  timeout: 120_000,
}, async (t) => {
  const r = await neovim(t, missingGoFixedByRetry(t));
  assert.ok(
    r.guard?.some((d) => d.code === "go.missing" && d.file.endsWith("hello.go")),
    JSON.stringify(r.guard),
  );
  assert.equal(r.chosen, "gopls-guard: Retry");
  assert.ok(
    r.diagnostics.some((d) => /not an int/.test(d.message)),
    JSON.stringify(r.diagnostics),
  );
  assert.deepEqual(r.guard_after, []);
});

test("Emacs with Eglot: Go missing is in Flymake, and its code action runs the Retry", {
  skip: noEmacs,
  timeout: 120_000,
}, async (t) => {
  const r = await emacs(t, missingGoFixedByRetry(t));
  assert.ok(
    r.flymake?.some((text) => /GOPLS_GUARD_GO does not name an executable go binary/.test(text)),
    JSON.stringify(r),
  );
  assert.equal(r.chosen, "gopls-guard: Retry");
  assert.ok(
    r.flymake_after?.some((text) => /not an int/.test(text)),
    JSON.stringify(r.flymake_after),
  );
  assert.ok(!r.flymake_after?.some((text) => /gopls-guard/.test(text)));
});

test("Neovim, a second session in the same home: gopls spawned ahead of the proxy, diagnostic and hover as before", {
  skip: noNvim,
  timeout: 180_000,
}, async (t) => {
  const home = tempDir(t);
  const extra = { GOPLS_GUARD_GOPLS: realGopls() };
  for (const start of ["cold", "warm"]) {
    const r = await neovim(t, extra, home);
    assert.ok(
      r.diagnostics.some((d) => /not an int|cannot use "not an int"/.test(d.message)),
      `${start}: ${JSON.stringify(r.diagnostics)}`,
    );
    assert.match(r.hover, /Greet returns a friendly greeting/, start);
  }
  const early = fs
    .readdirSync(path.join(home, "logs"))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(home, "logs", f), "utf8")
        .trim()
        .split("\n"),
    )
    .map((l) => JSON.parse(l) as { event?: string; early?: boolean; time: number })
    .filter((e) => e.event === "gopls.start")
    .sort((a, b) => a.time - b.time)
    .map((e) => e.early);
  assert.deepEqual(early, [false, true], "the warm session ran the gopls its entry spawned");
});

test("Eglot with its connect timeout cut to 2 s: a first install of the real gopls still ends in a working session", {
  skip: noEmacs,
  timeout: 300_000,
}, async (t) => {
  // What a user without editors/emacs/eglot.el's raised timeout has, only shorter: the install
  // (a real go install of the pinned gopls; its build cache is warm, so ~5 s) outlasts it.
  const shortTimeout = [
    "(setq gopls-guard-connect-timeout 1)",
    "(with-eval-after-load 'eglot (setq eglot-connect-timeout 2))",
  ];
  // Emacs gets a HOME of its own: keep go's caches (warm since the set-up built this gopls).
  const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();
  const install = {
    GOPLS_GUARD_GOPLS_VERSION: realGoplsVersion(),
    GOFLAGS: "",
    GOCACHE: goEnv("GOCACHE"),
    GOMODCACHE: goEnv("GOMODCACHE"),
    GG_ERROR_WAIT: "1",
  };
  // The build cache is warm once the set-up has built this gopls; if it was emptied since, warm
  // it again here, so that the install below takes seconds (not the minute of a cold build).
  execFileSync("go", ["install", `golang.org/x/tools/gopls@${realGoplsVersion()}`], {
    cwd: tempDir(t),
    env: { ...process.env, ...install, GOBIN: tempDir(t), GOWORK: "off", GOTOOLCHAIN: "local" },
    stdio: "ignore",
    timeout: 240_000,
  });
  // The control: the guard holding initialize for the whole install, Eglot gives up.
  const held = await emacs(t, { ...install, GOPLS_GUARD_EARLY_ANSWER_MS: "600000" }, shortTimeout);
  assert.ok(
    held.messages.some((m) => /[Tt]imed out/.test(m.message)),
    JSON.stringify(held.messages),
  );
  // The guard answering initialize after 0.5 s of install: Eglot connects, and once gopls is
  // there the buffer gets its diagnostic and its hover.
  const r = await emacs(t, { ...install, GOPLS_GUARD_EARLY_ANSWER_MS: "500" }, shortTimeout);
  assert.ok(
    r.messages.some((m) => /still being (installed|set up)/.test(m.message)),
    JSON.stringify(r.messages),
  );
  assert.ok(
    r.diagnostics.some((d) => /not an int|cannot use "not an int"/.test(d.message)),
    JSON.stringify(r),
  );
  assert.match(r.hover, /Greet returns a friendly greeting/);
  assert.deepEqual(
    r.messages.filter((m) => m.type === 1 || m.type === 0),
    [],
  );
});

test("Neovim: two editors on one workspace in shared mode, one gopls, each served", {
  skip: noNvim,
  timeout: 180_000,
}, async (t) => {
  const home = tempDir(t);
  const dir = copyFixture(t, "hello");
  const extra = {
    GOPLS_GUARD_GOPLS: realGopls(),
    GOPLS_GUARD_SHARE: "1",
    GOPLS_GUARD_SHARE_DIR: path.join(home, "run"),
    GOPLS_GUARD_SHARE_IDLE_MS: "60000",
  };
  const [a, b] = await Promise.all([neovim(t, extra, home, dir), neovim(t, extra, home, dir)]);
  for (const r of [a, b]) {
    assert.ok(
      r.diagnostics.some((d) => /not an int|cannot use "not an int"/.test(d.message)),
      JSON.stringify(r.diagnostics),
    );
    assert.match(r.hover, /Greet returns a friendly greeting/);
  }
  // Both joined one instance, and neither was moved out to a gopls of its own.
  const logs = () =>
    fs
      .readdirSync(path.join(home, "logs"))
      .map((f) => fs.readFileSync(path.join(home, "logs", f), "utf8"))
      .join("");
  const sessions = fs.readdirSync(path.join(home, "sessions")).filter((n) => n.endsWith(".json"));
  assert.equal(sessions.length, 1, "one shared instance");
  await waitUntil(
    "the instance's log",
    () => (logs().match(/"event":"share.client"/g) ?? []).length === 2,
  );
  assert.doesNotMatch(logs(), /share\.(move_out|private)/);
});
