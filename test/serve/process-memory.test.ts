import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, parseBytes } from "../../src/bytes.js";
import { memoryLimits } from "../../src/serve/memory-watch.js";
import {
  parseProcStatus,
  parsePsRss,
  parseTasklist,
  rssSampler,
} from "../../src/serve/process-memory.js";

const GIB = 1024 ** 3;

test("resident memory as Linux, ps and tasklist report it", () => {
  assert.equal(
    parseProcStatus("Name:\tgopls\nVmPeak:\t 9 kB\nVmRSS:\t  123456 kB\n"),
    123456 * 1024,
  );
  assert.equal(parseProcStatus("Name:\tzombie\n"), undefined);
  assert.equal(parsePsRss("  20480\n"), 20480 * 1024);
  assert.equal(parsePsRss(""), undefined);
  assert.equal(parseTasklist('"gopls.exe","1234","Console","1","1,234,567 K"\r\n'), 1234567 * 1024);
  assert.equal(
    parseTasklist("INFO: No tasks are running which match the specified criteria.\r\n"),
    undefined,
  );
});

test("this process's own memory, read the way a session reads gopls's", async () => {
  const rss = await rssSampler()(process.pid);
  assert.ok(rss && rss > 10 * 1024 ** 2 && rss < 4 * GIB, String(rss));
  assert.equal(await rssSampler()(2 ** 22 + 7), undefined);
});

test("sizes as settings write them and messages show them", () => {
  assert.equal(parseBytes("4G"), 4 * GIB);
  assert.equal(parseBytes("1500M"), 1500 * 1024 ** 2);
  assert.equal(parseBytes("2GiB"), 2 * GIB);
  assert.equal(parseBytes("123456"), 123456);
  for (const bad of ["", "lots", "-1G", "0"]) assert.equal(parseBytes(bad), undefined, bad);
  assert.equal(formatBytes(1.6 * GIB), "1.6 GiB");
  assert.equal(formatBytes(420 * 1024 ** 2), "420 MiB");
});

test("memory limits: a quarter of physical memory (1 GiB at least), the hard limit twice that under 90 %", () => {
  assert.deepEqual(memoryLimits(undefined, 10_000, 24 * GIB), {
    soft: 6 * GIB,
    hard: 12 * GIB,
    everyMs: 10_000,
  });
  assert.deepEqual(memoryLimits(undefined, 10_000, 2 * GIB), {
    soft: GIB,
    hard: Math.floor(1.8 * GIB),
    everyMs: 10_000,
  });
  assert.equal(memoryLimits(100 * 1024 ** 2, 1, 24 * GIB).hard, 200 * 1024 ** 2);
  // Never within a quarter of the soft limit, even past physical memory.
  assert.equal(memoryLimits(20 * GIB, 1, 16 * GIB).hard, 25 * GIB);
});
