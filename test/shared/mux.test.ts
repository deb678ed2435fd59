// The mux on its own: clients are plain ports, gopls is a list of what was sent up. What the
// end-to-end tests cannot order at will (a command queued behind a client held for its settings,
// gopls's edit after its client left) is set up here step by step.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Mux } from "../../src/shared/mux.js";

type Json = Record<string, unknown>;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {} };

function setup() {
  const up: Json[] = [];
  const mux = new Mux({ toUpstream: (m) => up.push(m), logger: quiet, onClients: () => {} });
  const client = () => {
    const got: Json[] = [];
    const c = mux.add({ send: (m) => got.push(m), close: () => {} }, undefined);
    return { c, got, say: (m: Json) => mux.fromClient(c, { jsonrpc: "2.0", ...m }) };
  };
  return { mux, up, client };
}

/** Two clients joined to an initialized instance whose gopls asked A for its settings. */
function joined() {
  const s = setup();
  const a = s.client();
  a.say({ id: 1, method: "initialize", params: { capabilities: {} } });
  const init = s.up.find((m) => m.method === "initialize") as Json;
  s.mux.fromUpstream({ jsonrpc: "2.0", id: init.id, result: { capabilities: {} } });
  a.say({ method: "initialized", params: {} });
  s.mux.fromUpstream({
    jsonrpc: "2.0",
    id: 100,
    method: "workspace/configuration",
    params: { items: [{ section: "gopls" }] },
  });
  const ask = a.got.find((m) => m.method === "workspace/configuration") as Json;
  a.say({ id: ask.id, result: [{}] });
  return { ...s, a };
}

function command(id: number, tag: string): Json {
  return { id, method: "workspace/executeCommand", params: { command: "x", arguments: [tag] } };
}

function upCommands(up: Json[]): string[] {
  return up
    .filter((m) => m.method === "workspace/executeCommand")
    .map((m) => ((m.params as { arguments: string[] }).arguments[0] as string) ?? "");
}

test("a command queued before its client was held for its settings still runs, and the next after it", () => {
  const s = joined();
  const join = () => {
    const x = s.client();
    x.say({ id: 1, method: "initialize", params: { capabilities: {} } });
    x.say({ method: "initialized", params: {} });
    const ask = x.got.find((m) => m.method === "workspace/configuration") as Json;
    x.say({ id: ask.id, result: [{}] });
    return x;
  };
  const b = join();
  const c = join();
  s.a.say(command(5, "X"));
  b.say(command(5, "Y"));
  c.say(command(5, "Z"));
  // B's editor says its settings changed: B is asked again, and held until it answers.
  b.say({ method: "workspace/didChangeConfiguration", params: { settings: null } });
  assert.deepEqual(upCommands(s.up), ["X"]);
  const x = s.up.find((m) => m.method === "workspace/executeCommand") as Json;
  s.mux.fromUpstream({ jsonrpc: "2.0", id: x.id, result: "X" });
  // B, still held, leaves: its command had its turn, and Z has its own.
  s.mux.leave(b.c, "gone");
  const y = s.up.filter((m) => m.method === "workspace/executeCommand")[1];
  if (y) s.mux.fromUpstream({ jsonrpc: "2.0", id: y.id, result: "Y" });
  assert.ok(upCommands(s.up).includes("Z"), JSON.stringify(upCommands(s.up)));
});

test("gopls's edit for a command whose client left goes to no other client", () => {
  const s = joined();
  const b = s.client();
  b.say({ id: 1, method: "initialize", params: { capabilities: {} } });
  b.say({ method: "initialized", params: {} });
  const askB = b.got.find((m) => m.method === "workspace/configuration") as Json;
  b.say({ id: askB.id, result: [{}] });
  s.a.say(command(5, "X"));
  b.say(command(6, "Y"));
  s.mux.leave(s.a.c, "gone");
  // gopls goes on with X anyway: its edit, then its answer.
  s.mux.fromUpstream({
    jsonrpc: "2.0",
    id: 200,
    method: "workspace/applyEdit",
    params: { label: "X", edit: {} },
  });
  assert.deepEqual(
    b.got.filter((m) => m.method === "workspace/applyEdit"),
    [],
    "B never sees A's edit",
  );
  assert.ok(
    s.up.some((m) => m.id === 200 && "error" in m),
    "gopls hears that nobody applies it",
  );
  const x = s.up.find((m) => m.method === "workspace/executeCommand") as Json;
  s.mux.fromUpstream({ jsonrpc: "2.0", id: x.id, error: { code: -32800, message: "cancelled" } });
  assert.deepEqual(upCommands(s.up), ["X", "Y"]);
});
