// The update's offer says how the warming went: ready warm, or why its first load will be slow
// (stopped past the memory limit, or the time limit), and nothing when there was none to do.

import assert from "node:assert/strict";
import { test } from "node:test";
import { updateQuestion } from "../../src/serve/update-flow.js";

const u = { from: "v0.23.0", to: "v0.24.0", path: "/h/gopls/gopls-v0.24.0-go1.26/gopls" };

test("warmed: the offer says ready warm, with the time and the peak", () => {
  const { finding } = updateQuestion(u, { warmed: true, ms: 9_900, peakRss: 755 * 2 ** 20 });
  assert.equal(
    finding.message,
    "gopls v0.24.0 is installed and ready warm for this workspace; this session runs v0.23.0.",
  );
  assert.match(String(finding.evidence?.warming), /filled for this workspace in 9\.9 s \(peak 755/);
});

test("stopped past the memory limit: the offer is made anyway and says the first load will be slow", () => {
  const { finding } = updateQuestion(u, {
    warmed: false,
    why: "memory",
    ms: 40_000,
    peakRss: 2 * 2 ** 30,
  });
  assert.match(
    finding.message,
    /installed \(not warmed: its first load of this workspace will be slow\)/,
  );
  assert.match(
    String(finding.evidence?.warming),
    /stopped: it passed the memory limit \(2(\.0)? GiB\)/,
  );
});

test("past the time limit, likewise", () => {
  const { finding } = updateQuestion(u, { warmed: false, why: "timeout", ms: 600_000, peakRss: 0 });
  assert.match(String(finding.evidence?.warming), /it was not done after 10 min/);
});

test("no warming to do (off, no workspace): the offer as before", () => {
  for (const why of ["off", "no-workspace"] as const) {
    const { finding } = updateQuestion(u, { warmed: false, why, ms: 0, peakRss: 0 });
    assert.equal(finding.message, "gopls v0.24.0 is installed; this session runs v0.23.0.");
    assert.equal(finding.evidence?.warming, undefined);
  }
});
