import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { unsafe, unwritable } from "../../src/gopls/probe.js";

// Windows is not available here: the UAC case goes through the platform seam.
test("an install directory under Program Files on Windows: the UAC explanation, no chown or sudo", () => {
  const f = unwritable(
    "C:\\Program Files\\gopls-guard",
    Object.assign(new Error("operation not permitted"), { code: "EPERM" }),
    "win32",
  );
  assert.equal(f.id, "fs.install_dir_unwritable");
  assert.match(f.fix, /User Account Control/);
  assert.match(f.fix, /%LOCALAPPDATA%\\gopls-guard\\gopls/);
  assert.doesNotMatch(f.fix, /sudo|chown|chmod/);
  const other = unwritable(
    "D:\\tools\\gopls",
    Object.assign(new Error("access denied"), { code: "EACCES" }),
    "win32",
  );
  assert.match(other.fix, /icacls "D:\\tools\\gopls" \/grant ".+:\(OI\)\(CI\)M"/);
  const slashes = unwritable(
    "C:/Program Files/gopls-guard",
    Object.assign(new Error("operation not permitted"), { code: "EPERM" }),
    "win32",
  );
  assert.match(slashes.fix, /User Account Control/);
  const full = unwritable(
    "C:\\Program Files (x86)\\x",
    Object.assign(new Error("no space"), { code: "ENOSPC" }),
    "win32",
  );
  assert.match(full.fix, /is full/);
});

// Found running the Windows node under Wine: node reports mode 666 for every writable file there.
test("a world-writable gopls is refused, except on Windows, where node makes the mode bits up", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-unsafe-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const gopls = path.join(dir, "gopls");
  fs.writeFileSync(gopls, "");
  fs.chmodSync(gopls, 0o777);
  assert.deepEqual(
    unsafe(gopls, dir, "linux").map((f) => f.id),
    ["fs.unsafe_binary"],
  );
  assert.deepEqual(unsafe(gopls, dir, "win32"), []);
});
