// The real thing: gopls from the real module proxy, installed by the guard once into a home
// cached outside the repo (slow the first time on a machine, instant after).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";

const run = promisify(execFile);
const PINNED = "v0.23.0";

function env(): NodeJS.ProcessEnv {
  const cache = process.env.GOPLS_GUARD_TEST_CACHE as string;
  const e = guardEnv(path.join(cache, "real-home"));
  for (const k of ["GOPROXY", "GONOSUMDB", "GOFLAGS", "GOMODCACHE"]) delete e[k];
  return e;
}

async function guard(args: string[], extra: NodeJS.ProcessEnv = {}) {
  try {
    const r = await run(GUARD, [...args], {
      env: { ...env(), ...extra },
      maxBuffer: 1 << 24,
    });
    return { code: 0, ...r };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test(`the real gopls ${PINNED} from the real proxy: installed once, verified, run`, {
  timeout: 900_000,
}, async () => {
  const installed = await guard(["install", "--version", PINNED]);
  assert.equal(installed.code, 0, installed.stderr);
  const bin = installed.stdout.trim();
  assert.match(bin, new RegExp(`gopls-${PINNED}-go1\\.\\d+/gopls$`));
  const which = await guard(["which"], { GOPLS_GUARD_GOPLS_VERSION: PINNED });
  assert.equal(which.stdout.trim(), bin);
  const version = await guard(["version"], { GOPLS_GUARD_GOPLS_VERSION: PINNED });
  assert.match(
    version.stdout,
    new RegExp(`golang.org/x/tools/gopls ${PINNED.replace(/\./g, "\\.")}`),
  );
  const m = await run("go", ["version", "-m", bin]);
  assert.match(
    m.stdout,
    new RegExp(`mod\\s+golang.org/x/tools/gopls\\s+${PINNED.replace(/\./g, "\\.")}`),
  );
});

test("latest, decided against the real proxy, is a gopls this Go can build", {
  timeout: 120_000,
}, async () => {
  const which = await guard(["which"]);
  const version = /gopls-(v[\d.]+)-go|gopls (v[\d.]+) is not installed yet/.exec(
    `${which.stdout}${which.stderr}`,
  );
  assert.ok(version, `${which.stdout}${which.stderr}`);
  const chosen = (version[1] ?? version[2]) as string;
  const info = JSON.parse(
    (
      await run("go", ["list", "-m", "-json", `golang.org/x/tools/gopls@${chosen}`], {
        env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "" },
      })
    ).stdout,
  ) as { GoMod: string };
  const goLine = /^go (\S+)/m.exec(
    (await import("node:fs")).readFileSync(info.GoMod, "utf8"),
  )?.[1] as string;
  const local = (await run("go", ["env", "GOVERSION"])).stdout.trim().replace(/^go/, "");
  const [lm, ln] = local.split(".").map(Number) as [number, number];
  const [rm, rn] = goLine.split(".").map(Number) as [number, number];
  assert.ok(
    lm > rm || (lm === rm && ln >= rn),
    `gopls ${chosen} needs go ${goLine}; local is ${local}`,
  );
});
