// WSL is not available here: the doctor's checks run for real (a real go, go env) with the
// platform seams saying WSL, through /proc/version alone as WSL 2 kernels announce it.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { type DoctorSeams, runChecks } from "../../src/doctor/checks.js";
import type { Logger } from "../../src/log.js";

const quiet = new Proxy({}, { get: () => () => {} }) as Logger;

function seams(env: NodeJS.ProcessEnv, cwd: string, procVersion: string): DoctorSeams {
  const all: NodeJS.ProcessEnv = {
    ...process.env,
    GOPROXY: "off",
    GOSUMDB: "off",
    GOFLAGS: "",
    ...env,
  };
  delete all.WSL_DISTRO_NAME;
  delete all.GOPLS_GUARD_GOPLS;
  const { config } = loadConfig({ env: all, platform: "linux", homedir: os.tmpdir() });
  return {
    config,
    env: all,
    platform: "linux",
    homedir: os.homedir(),
    cwd,
    logger: quiet,
    logFile: "/dev/null",
    procVersion: () => procVersion,
  };
}

const WSL2 =
  "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 12.2.0)";

test("WSL from /proc/version: a Windows-targeting go warned about, a workspace on /mnt/ noted", async () => {
  const windowsGo = await runChecks(seams({ GOOS: "windows" }, os.tmpdir(), WSL2), "test", {
    gopls: false,
  });
  const w = windowsGo.findings.find((f) => f.id === "go.wsl_windows_go");
  assert.equal(w?.severity, "warning");
  assert.equal(w?.evidence.GOOS, "windows");
  assert.match(w?.fix ?? "", /Install Linux Go inside WSL/);

  // A workspace under /mnt/ (the checks run go there, so it must exist: root can make one).
  let drive: string | undefined;
  try {
    drive = fs.mkdtempSync("/mnt/gg-wsl-");
  } catch {
    drive = undefined;
  }
  if (drive) {
    try {
      const onWindowsDrive = await runChecks(seams({}, drive, WSL2), "test", { gopls: false });
      const i = onWindowsDrive.findings.filter((f) => f.id === "go.wsl_windows_go");
      assert.deepEqual(
        i.map((f) => f.severity),
        ["info"],
      );
      assert.match(i[0]?.message ?? "", /Windows drive/);
    } finally {
      fs.rmSync(drive, { recursive: true, force: true });
    }
  }

  const plainLinux = await runChecks(
    seams(
      { GOOS: "windows" },
      "/mnt/c/x",
      "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org)",
    ),
    "test",
    { gopls: false },
  );
  assert.ok(!plainLinux.findings.some((f) => f.id === "go.wsl_windows_go"));
});
