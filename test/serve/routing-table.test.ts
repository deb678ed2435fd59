// The one table that decides every editor message's fate (src/serve/routing.ts): complete, and
// the cells the defects of the past lived in, read as a person would check them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { EDITOR_ROUTES, type EditorKind } from "../../src/serve/routing.js";

const STATES = ["starting", "installing", "running", "restarting", "degraded", "ending"] as const;
const KINDS: EditorKind[] = [
  "request",
  "shutdown",
  "notification",
  "remembered",
  "exit",
  "response",
];

test("every state has a route for every kind of editor message", () => {
  assert.deepEqual(Object.keys(EDITOR_ROUTES).sort(), [...STATES].sort());
  for (const state of STATES)
    assert.deepEqual(Object.keys(EDITOR_ROUTES[state]).sort(), [...KINDS].sort());
});

test("the cells that matter: nothing is forwarded without a running gopls, requests are never silently dropped while the session lives", () => {
  for (const state of STATES)
    for (const kind of KINDS)
      if (state !== "running")
        assert.notEqual(EDITOR_ROUTES[state][kind], "forward", `${state} ${kind}`);
  for (const state of STATES.filter((s) => s !== "ending"))
    for (const kind of ["request", "shutdown"] as const)
      assert.notEqual(EDITOR_ROUTES[state][kind], "drop", `${state} ${kind}`);
  // shutdown before gopls started: answered at once, with what waits.
  assert.equal(EDITOR_ROUTES.starting.shutdown, "answer-all");
  // A restart replays what was remembered: it is not queued a second time.
  assert.equal(EDITOR_ROUTES.restarting.remembered, "drop");
  assert.equal(EDITOR_ROUTES.installing.request, "stand-in");
  assert.equal(EDITOR_ROUTES.degraded.request, "stand-in");
});
