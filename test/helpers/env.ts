// Where the test set-up (scripts/test.mjs) put things: the bundle, the real gopls, the stand-in.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pidsWithEnv } from "./procs.js";

export const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
export const GUARD = path.join(ROOT, "dist", "gopls-guard.mjs");
export const FIXTURES = path.join(ROOT, "test", "fixtures");

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\``);
  return value;
}

export const realGopls = (): string => required("GOPLS_GUARD_TEST_REAL_GOPLS");
export const realGoplsVersion = (): string => required("GOPLS_GUARD_TEST_REAL_GOPLS_VERSION");
export const standinGopls = (): string => required("GOPLS_GUARD_TEST_STANDIN");
export const sumdbServer = (): string => required("GOPLS_GUARD_TEST_SUMDB");

/** A temp dir removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = "gg-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // A guard a later hook kills may still write there (its log, its session file): tried again
  // once its pending writes are done, and given up on quietly (it is only a temp dir).
  t.after(async () => {
    // A guard whose home this is, still running (its kill is a later hook), would write its
    // session file into the removed dir: it goes first.
    for (const pid of pidsWithEnv(`GOPLS_GUARD_HOME=${dir}\0`)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    for (let i = 0; i < 20; i++) {
      try {
        return fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  return dir;
}

/** A copy of a fixture module in a fresh temp dir. */
export function copyFixture(t: { after(fn: () => void): void }, name: string): string {
  const dir = tempDir(t, `gg-${name}-`);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}
