// `npm test`: everything a fresh machine needs, then the whole suite.
// 1. npm ci when node_modules is missing or older than the lock file; 2. the build;
// 3. the real gopls the end-to-end tests pin, installed once into a cache outside the repo;
// 4. the stand-in gopls built from test/fixtures/standin; 5. node's test runner.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const REAL_GOPLS_VERSION = "v0.23.0";
const cache = process.env.GOPLS_GUARD_TEST_CACHE || path.join(os.homedir(), ".cache", "gopls-guard-test");
const goBin = process.env.GOPLS_GUARD_TEST_GO || "go";

function run(cmd, args, opts = {}) {
  console.error(`test setup: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, ...opts });
}

const lock = path.join(root, "package-lock.json");
const marker = path.join(root, "node_modules", ".package-lock.json");
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) run("npm", ["ci", "--no-audit", "--no-fund"]);
run("npm", ["run", "--silent", "build"]);

// Go builds and installs in a clean environment: no workspace, modules on, host platform.
const goEnv = { ...process.env, GOWORK: "off", GO111MODULE: "on", GOFLAGS: "", GOOS: "", GOARCH: "", GOTOOLCHAIN: "local" };

const realDir = path.join(cache, `gopls-${REAL_GOPLS_VERSION}`);
const realGopls = path.join(realDir, "gopls");
if (!existsSync(realGopls)) {
  const stage = `${realDir}.tmp-${process.pid}`;
  mkdirSync(stage, { recursive: true });
  run(goBin, ["install", `golang.org/x/tools/gopls@${REAL_GOPLS_VERSION}`], { cwd: os.tmpdir(), env: { ...goEnv, GOBIN: stage } });
  rmSync(realDir, { recursive: true, force: true });
  renameSync(stage, realDir);
}

const standin = path.join(root, "build", "standin", "gopls");
run(goBin, ["build", "-o", standin, "."], { cwd: path.join(root, "test", "fixtures", "standin"), env: goEnv });

const args = ["--test", "--test-concurrency=2", "--test-timeout=180000", ...(process.argv.slice(2).length ? process.argv.slice(2) : ["build/test/"])];
const result = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, GOPLS_GUARD_TEST_REAL_GOPLS: realGopls, GOPLS_GUARD_TEST_STANDIN: standin, GOPLS_GUARD_TEST_CACHE: cache },
});
process.exit(result.status ?? 1);
