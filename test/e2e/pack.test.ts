// The package as a user gets it: `npm pack`, installed into a fresh prefix, and the
// `gopls-guard` command from there (it is one self-contained bundle: no dependencies to fetch).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { ROOT, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";

const run = promisify(execFile);

test("npm pack, install into a fresh prefix: the gopls-guard command works from there", {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t);
  const { stdout } = await run("npm", ["pack", "--pack-destination", dir, "--silent"], {
    cwd: ROOT,
  });
  const tarball = path.join(dir, stdout.trim().split("\n").at(-1) as string);
  const prefix = path.join(dir, "prefix");
  await run(
    "npm",
    ["install", "--global", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball],
    { cwd: dir },
  );
  const bin = path.join(prefix, "bin", "gopls-guard");
  assert.ok(fs.existsSync(bin));
  // What a registry shows and needs, and nothing to install beside it.
  const meta = JSON.parse(
    fs.readFileSync(
      path.join(prefix, "lib", "node_modules", "gopls-guard", "package.json"),
      "utf8",
    ),
  ) as Record<string, unknown>;
  for (const field of [
    "name",
    "version",
    "description",
    "license",
    "repository",
    "keywords",
    "engines",
    "bin",
    "files",
  ])
    assert.ok(meta[field], `package.json lacks ${field}`);
  assert.equal(meta.dependencies, undefined);
  assert.ok(fs.statSync(tarball).size < 2 * 2 ** 20, `${fs.statSync(tarball).size} bytes`);
  const help = await run(bin, ["--help"]);
  assert.match(help.stdout, /^gopls-guard: run it wherever your editor runs gopls\./);
  assert.ok(
    fs.existsSync(
      path.join(
        prefix,
        "lib",
        "node_modules",
        "gopls-guard",
        "editors",
        "neovim",
        "start_client.lua",
      ),
    ),
  );
  const env = guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls() });
  const doctor = await run(bin, ["doctor", "--json"], { env: { ...env, GOPROXY: "off" } }).catch(
    (e: { code: number; stdout: string }) => e,
  );
  const report = JSON.parse((doctor as { stdout: string }).stdout) as {
    ok: boolean;
    findings: Array<{ id: string }>;
  };
  assert.equal(report.ok, false);
  assert.ok(report.findings.some((f) => f.id === "proxy.off"));
  const version = await run(bin, ["version"], { env });
  assert.match(version.stdout, /golang\.org\/x\/tools\/gopls \(devel\)/);
  const peer = new Peer([], env, undefined, bin);
  t.after(() => peer.kill());
  const init = await peer.initialize();
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-standin");
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
  // The launcher's Go source ships in the package: `link` builds it from there.
  const linked = await run(bin, ["link"], { env, timeout: 120_000 });
  const launcher = linked.stdout.trim();
  assert.equal(fs.lstatSync(launcher).isSymbolicLink(), false, linked.stderr);
  const viaLauncher = await run(launcher, ["version"], { env });
  assert.match(viaLauncher.stdout, /golang\.org\/x\/tools\/gopls \(devel\)/);
});
