// What the tests and the benchmarks need on a fresh machine: npm ci when node_modules is
// missing or older than the lock file, the build, the pinned real gopls installed once into a
// cache outside the repo, and the stand-in gopls built from test/fixtures/standin.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { cached } from "./cached.mjs";
import { setupVscode } from "./vscode-setup.mjs";
import { setupWine } from "./wine-setup.mjs";

export const root = path.resolve(import.meta.dirname, "..");
export const REAL_GOPLS_VERSION = "v0.23.0";

function run(cmd, args, opts = {}) {
  console.error(`setup: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, ...opts });
}

/** The editors the end-to-end tests drive headless, from Debian's packages, when root can install them. */
function ensureEditors() {
  const missing = ["nvim", "emacs", "kak"].filter(
    (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status !== 0,
  );
  const eglot =
    existsSync("/usr/share/emacs/site-lisp/elpa-src") ||
    spawnSync("dpkg", ["-s", "elpa-eglot"], { stdio: "ignore" }).status === 0;
  if (missing.length === 0 && eglot) return;
  if (process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0) {
    console.error(
      `setup: ${missing.join(", ") || "elpa-eglot"} missing and not installable here; the editor tests will be skipped`,
    );
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    run("apt-get", ["update", "-qq"], { env });
    run(
      "apt-get",
      [
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "neovim",
        "emacs-nox",
        "elpa-eglot",
        "kakoune",
      ],
      { env },
    );
  } catch {
    console.error("setup: installing the editors failed; the editor tests will be skipped");
  }
}

const KAK_LSP_VERSION = "22.0.0";

/**
 * kakoune-lsp for the Kakoune test: the crate kak-lsp from crates.io, built once into the cache
 * (about 3 minutes on two cores). Its env, or why the Kakoune test is skipped.
 */
function setupKakLsp(cache) {
  const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  if (!has("kak"))
    return {
      skip: "kakoune is not installed (npm test installs it from Debian's packages as root)",
    };
  const dir = path.join(cache, `kak-lsp-${KAK_LSP_VERSION}`);
  const bin = path.join(dir, "bin", "kak-lsp");
  if (!existsSync(bin)) {
    if (!has("cargo")) return { skip: "cargo is not installed, so kak-lsp cannot be built" };
    try {
      cached(dir, (stage) =>
        run("cargo", [
          "install",
          "--locked",
          "kak-lsp",
          "--version",
          KAK_LSP_VERSION,
          "--root",
          stage,
        ]),
      );
    } catch {
      return { skip: `building kak-lsp ${KAK_LSP_VERSION} from crates.io failed` };
    }
  }
  return { env: { GOPLS_GUARD_TEST_KAK_LSP: bin } };
}

/**
 * The Go-version skew test builds gopls v0.24.0 with Go 1.27.3 (fetched through the module proxy)
 * under a local Go 1.26: minutes when cold. Its module and build caches live here, warmed once,
 * so the test itself only links. Undefined when the warm-up could not be done.
 */
function ensureSkewCache(cache, goBin, goEnv) {
  const dir = path.join(cache, "skew");
  const marker = path.join(dir, "warm-v0.24.0-go1.27.3");
  if (existsSync(marker)) return dir;
  const bin = path.join(dir, "bin");
  try {
    run(goBin, ["install", "golang.org/x/tools/gopls@v0.24.0"], {
      cwd: os.tmpdir(),
      env: {
        ...goEnv,
        GOTOOLCHAIN: "go1.27.3",
        GOFLAGS: "-modcacherw",
        GOMODCACHE: path.join(dir, "modcache"),
        GOCACHE: path.join(dir, "gocache"),
        GOBIN: bin,
      },
    });
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(marker, "");
    return dir;
  } catch {
    console.error(
      "setup: the Go 1.27 toolchain or gopls v0.24.0 could not be fetched; the skew test will be skipped",
    );
    return undefined;
  }
}

/**
 * The go the tests and the set-up run, found the way the guard finds it (GOPLS_GUARD_TEST_GO, then
 * GOPLS_GUARD_GO, PATH, the login shell's PATH, the well-known places): the compiled src/go/find.
 */
async function findTestGo() {
  const { findGo } = await import(path.join(root, "build", "src", "go", "find.js"));
  const { loginShellProbe } = await import(path.join(root, "build", "src", "go", "shell.js"));
  const found = await findGo({
    explicit: process.env.GOPLS_GUARD_TEST_GO || process.env.GOPLS_GUARD_GO,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    loginShell: loginShellProbe(process.env.SHELL),
  });
  if (found.ok) return found.value.path;
  console.error(
    `setup: ${found.finding.message} Install Go (https://go.dev/dl/) or set GOPLS_GUARD_TEST_GO=/path/to/go.`,
  );
  process.exit(1);
}

/** Stage dirs (NAME.tmp-PID) of set-ups that died, whose process is gone. */
function removeDeadStages(dir) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/\.tmp-(\d+)$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

export async function setup() {
  const cache =
    process.env.GOPLS_GUARD_TEST_CACHE || path.join(os.homedir(), ".cache", "gopls-guard-test");
  const lock = path.join(root, "package-lock.json");
  const marker = path.join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs)
    run("npm", ["ci", "--no-audit", "--no-fund"]);
  run("npm", ["run", "--silent", "build"]);
  const goBin = await findTestGo();
  removeDeadStages(cache);
  removeDeadStages(path.join(cache, "vscode"));

  // Go builds and installs in a clean environment: no workspace, modules on, host platform.
  const goEnv = {
    ...process.env,
    GOWORK: "off",
    GO111MODULE: "on",
    GOFLAGS: "",
    GOOS: "",
    GOARCH: "",
    GOTOOLCHAIN: "local",
  };
  const realDir = path.join(cache, `gopls-${REAL_GOPLS_VERSION}`);
  const realGopls = path.join(realDir, "gopls");
  if (!existsSync(realGopls)) {
    const stage = `${realDir}.tmp-${process.pid}`;
    mkdirSync(stage, { recursive: true });
    try {
      run(goBin, ["install", `golang.org/x/tools/gopls@${REAL_GOPLS_VERSION}`], {
        cwd: os.tmpdir(),
        env: { ...goEnv, GOBIN: stage },
      });
    } catch (error) {
      rmSync(stage, { recursive: true, force: true });
      throw error;
    }
    rmSync(realDir, { recursive: true, force: true });
    renameSync(stage, realDir);
  }
  ensureEditors();
  const skew = ensureSkewCache(cache, goBin, goEnv);
  const standin = path.join(root, "build", "standin", "gopls");
  run(goBin, ["build", "-o", standin, "."], {
    cwd: path.join(root, "test", "fixtures", "standin"),
    env: goEnv,
  });
  // A checksum database speaking the real sumdb protocol (golang.org/x/mod/sumdb), for sumdb.* faults.
  const sumdb = path.join(root, "build", "fixtures", "sumdb");
  run(goBin, ["build", "-o", sumdb, "."], {
    cwd: path.join(root, "test", "fixtures", "sumdb"),
    env: goEnv,
  });
  // code-server, Node 24, the Go extension and playwright-core for test/e2e/vscode.test.ts.
  const vscode = setupVscode(root, cache);
  // Wine, Windows Node and a Windows go for test/e2e/wine.test.ts (the launcher on Windows).
  const wine = setupWine(cache, goBin, root);
  // kakoune-lsp for test/e2e/kakoune.test.ts.
  const kak = setupKakLsp(cache);
  return {
    cache,
    realGopls,
    standin,
    env: {
      ...(vscode.env ?? { GOPLS_GUARD_TEST_VSCODE_SKIP: vscode.skip }),
      ...(wine.env ?? { GOPLS_GUARD_TEST_WINE_SKIP: wine.skip }),
      ...(kak.env ?? { GOPLS_GUARD_TEST_KAK_SKIP: kak.skip }),
      // The tests run `go` by name: the one found, first.
      PATH: [path.dirname(goBin), process.env.PATH].filter(Boolean).join(path.delimiter),
      GOPLS_GUARD_TEST_REAL_GOPLS: realGopls,
      GOPLS_GUARD_TEST_REAL_GOPLS_VERSION: REAL_GOPLS_VERSION,
      GOPLS_GUARD_TEST_STANDIN: standin,
      GOPLS_GUARD_TEST_SUMDB: sumdb,
      GOPLS_GUARD_TEST_CACHE: cache,
      ...(skew ? { GOPLS_GUARD_TEST_SKEW_CACHE: skew } : {}),
    },
  };
}
