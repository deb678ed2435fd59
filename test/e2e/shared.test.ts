// Shared mode (GOPLS_GUARD_SHARE=1): clients of one key are served by one supervised gopls in a
// detached instance, each correctly; the instance's socket is private; a client whose text
// departs moves out; a client's exit or crash ends only that client; a SIGKILLed instance is
// replaced with every client replayed; an idle instance exits.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, type Json, Peer } from "../helpers/peer.js";
import { alive, childrenOf, cmdline, waitGone, waitUntil } from "../helpers/procs.js";
import { asUser, ensureUsers, homeOf, publicGuard, usersUnavailable } from "../helpers/users.js";

interface Setup {
  home: string;
  shareDir: string;
  folder: string;
  env: NodeJS.ProcessEnv;
}

function setup(t: { after(fn: () => void): void }, extra: NodeJS.ProcessEnv = {}): Setup {
  const home = tempDir(t, "gg-share-");
  const shareDir = path.join(home, "run");
  const folder = path.join(home, "ws");
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, "go.mod"), "module example.com/ws\n\ngo 1.22\n");
  const env = guardEnv(home, {
    GOPLS_GUARD_SHARE: "1",
    GOPLS_GUARD_SHARE_DIR: shareDir,
    GOPLS_GUARD_GOPLS: standinGopls(),
    ...extra,
  });
  return { home, shareDir, folder, env };
}

function client(t: { after(fn: () => void): void }, s: Setup, env: NodeJS.ProcessEnv = {}): Peer {
  const peer = new Peer([], { ...s.env, ...env }, s.folder);
  t.after(() => peer.kill());
  return peer;
}

async function open(peer: Peer, s: Setup, text = "package ws\n"): Promise<string> {
  await peer.initialize({ workspaceFolders: [{ uri: `file://${s.folder}`, name: "ws" }] });
  const uri = `file://${s.folder}/a.go`;
  peer.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text },
  });
  return uri;
}

/** The shared instances running for this home: guard pid → its gopls pids. */
function instances(s: Setup): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const dir = path.join(s.home, "sessions");
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.endsWith(".json")) continue;
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as {
        guardPid: number;
        shared?: unknown;
      };
      if (info.shared && alive(info.guardPid)) out.set(info.guardPid, childrenOf(info.guardPid));
    } catch {
      // being rewritten
    }
  }
  return out;
}

async function oneInstance(s: Setup, clients: number): Promise<number> {
  let pid = 0;
  await waitUntil(`one shared instance with ${clients} clients`, () => {
    const all = [...instances(s)];
    const status = statusJson(s).filter((x) => x.shared);
    pid = all[0]?.[0] ?? 0;
    return all.length === 1 && status[0]?.shared?.clients.length === clients;
  });
  return pid;
}

function statusJson(
  s: Setup,
): { guardPid: number; shared?: { clients: number[]; parts: Record<string, string> } }[] {
  const out = execFileSync(process.execPath, [GUARD, "status", "--json"], {
    env: s.env,
    encoding: "utf8",
  });
  return (JSON.parse(out) as { sessions: never[] }).sessions;
}

/** The gopls a client's guard runs itself (not the shared instance it may have started). */
function ownGopls(peer: Peer): number[] {
  return childrenOf(peer.pid).filter((pid) => !cmdline(pid).includes("__shared-instance"));
}

async function state(
  peer: Peer,
): Promise<{ documents: Record<string, { text: string }>; pid: number }> {
  return (await peer.call("standin/state")).result as never;
}

test("two clients of one key share one gopls, and each is answered on its own ids", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const uri = await open(a, s);
  await open(b, s);
  const instance = await oneInstance(s, 2);
  assert.equal(childrenOf(instance).length, 1, "one gopls for both");
  // Same ids from both clients: each gets its own answer.
  const ha = a.request("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 1 },
  });
  const hb = b.request("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 7 },
  });
  assert.equal(ha, hb);
  const ra = await a.response(ha);
  const rb = await b.response(hb);
  assert.equal((ra.result as { position: { character: number } }).position.character, 1);
  assert.equal((rb.result as { position: { character: number } }).position.character, 7);
  assert.equal(a.received.filter((m) => m.id === ha && !m.method).length, 1);
  assert.equal(b.received.filter((m) => m.id === hb && !m.method).length, 1);
  // The document both have open, with the same text, is one open document for gopls.
  const st = await state(a);
  assert.deepEqual(Object.keys(st.documents), [uri]);
  assert.equal((await state(b)).pid, st.pid);
  // Neither guard runs a gopls of its own (the one that started the instance is its parent).
  assert.deepEqual(ownGopls(a), []);
  assert.deepEqual(ownGopls(b), []);
});

test("a client that differs in a part of the key gets an instance of its own", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s, { GOFLAGS: "-tags=integration" });
  await open(a, s);
  await open(b, s);
  await waitUntil("two instances", () => instances(s).size === 2);
  const shared = statusJson(s).filter((x) => x.shared);
  assert.equal(shared.length, 2);
  const [p, q] = shared.map((x) => x.shared?.parts ?? {});
  const differ = Object.keys(p ?? {}).filter((k) => p?.[k] !== q?.[k]);
  assert.deepEqual(differ, ["env"]);
  const text = execFileSync(process.execPath, [GUARD, "status"], { env: s.env, encoding: "utf8" });
  assert.match(text, /shared by 1 client.*differs from \d+ in: env/s);
});

test("a client whose text of an open file differs moves to a gopls of its own, with its text", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const uri = await open(a, s, "package ws // A\n");
  const instance = await oneInstance(s, 1);
  await open(b, s, "package ws // B, unsaved\n");
  // B's guard now runs its own gopls, which has B's text; A's instance still has A's.
  await waitUntil("B's own gopls", () => ownGopls(b).length === 1);
  const mine = await state(b);
  assert.equal(mine.documents[uri]?.text, "package ws // B, unsaved\n");
  const theirs = await state(a);
  assert.equal(theirs.documents[uri]?.text, "package ws // A\n");
  assert.notEqual(mine.pid, theirs.pid);
  assert.deepEqual(childrenOf(instance).length, 1);
  await oneInstance(s, 1);
});

test("a client that edits a file another has open moves out; the other keeps its text", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const uri = await open(a, s);
  await open(b, s);
  await oneInstance(s, 2);
  b.notify("textDocument/didChange", {
    textDocument: { uri, version: 2 },
    contentChanges: [
      {
        range: { start: { line: 0, character: 10 }, end: { line: 0, character: 10 } },
        text: " // edited",
      },
    ],
  });
  await waitUntil("B's own gopls", () => ownGopls(b).length === 1);
  assert.equal((await state(b)).documents[uri]?.text, "package ws // edited\n");
  assert.equal((await state(a)).documents[uri]?.text, "package ws\n");
});

test("one client's exit or crash ends only that client", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const c = client(t, s);
  const uri = await open(a, s);
  await open(b, s);
  await open(c, s);
  const instance = await oneInstance(s, 3);
  const gopls = childrenOf(instance)[0] as number;
  assert.equal((await a.call("shutdown")).result, null);
  a.notify("exit");
  assert.deepEqual(await a.exited, { code: 0, signal: null });
  c.kill();
  await c.exited;
  await oneInstance(s, 1);
  assert.ok(alive(gopls), "the shared gopls goes on");
  const r = await b.call("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 3 },
  });
  assert.equal((r.result as { position: { character: number } }).position.character, 3);
  // The file B still has open stays open for gopls.
  assert.deepEqual(Object.keys((await state(b)).documents), [uri]);
});

test("a SIGKILLed instance is replaced and every client replayed: no request lost or answered twice", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const uri = await open(a, s, "package ws // shared\n");
  await open(b, s, "package ws // shared\n");
  const instance = await oneInstance(s, 2);
  const gopls = childrenOf(instance)[0] as number;
  // A request in flight when the instance dies.
  const slow = a.request("standin/sleep", "1500");
  await new Promise((r) => setTimeout(r, 300));
  process.kill(instance, "SIGKILL");
  await waitGone(gopls);
  const reply = await a.response(slow, 20_000);
  assert.equal(reply.result, "slept");
  const next = await oneInstance(s, 2);
  assert.notEqual(next, instance);
  const st = await state(b);
  assert.equal(st.documents[uri]?.text, "package ws // shared\n");
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(a.received.filter((m) => m.id === slow && !m.method).length, 1);
  // Each editor saw its initialize answered once.
  assert.equal(a.received.filter((m) => m.id === 1 && !m.method).length, 1);
  assert.equal(b.received.filter((m) => m.id === 1 && !m.method).length, 1);
});

test("an instance exits once its last client has been gone for the idle time", async (t) => {
  const s = setup(t, { GOPLS_GUARD_SHARE_IDLE_MS: "1000" });
  const a = client(t, s);
  await open(a, s);
  const instance = await oneInstance(s, 1);
  const gopls = childrenOf(instance)[0] as number;
  assert.equal((await a.call("shutdown")).result, null);
  a.notify("exit");
  await a.exited;
  await waitGone(instance, 15_000);
  await waitGone(gopls);
  assert.deepEqual(
    fs.readdirSync(s.shareDir).filter((n) => n.endsWith(".sock")),
    [],
    "its socket is removed",
  );
});

test("nobody else can connect: the share dir is the user's own, 0700, or not used", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  await open(a, s);
  await oneInstance(s, 1);
  const st = fs.lstatSync(s.shareDir);
  assert.equal(st.mode & 0o777, 0o700);
  const sock = fs.readdirSync(s.shareDir).find((n) => n.endsWith(".sock")) as string;
  assert.equal(fs.lstatSync(path.join(s.shareDir, sock)).mode & 0o777, 0o600);
  // A share dir someone else could enter is refused: the session runs its own gopls and says why.
  const open777 = path.join(s.home, "open");
  fs.mkdirSync(open777, { mode: 0o777 });
  fs.chmodSync(open777, 0o777);
  const b = client(t, s, { GOPLS_GUARD_SHARE_DIR: open777 });
  await open(b, s);
  await waitUntil("B's own gopls", () => ownGopls(b).length === 1);
  await b.waitFor("the refusal", (m: Json) =>
    JSON.stringify(m).includes("can be opened by others"),
  );
});

const noUsers = usersUnavailable();
if (!noUsers) ensureUsers();

test("another user cannot connect to a user's shared gopls, nor make the user use theirs", {
  skip: noUsers,
}, async (t) => {
  // Everything alice runs is hers or world-readable: the bundle, the stand-in, her home.
  const guard = publicGuard(t);
  const standin = path.join(path.dirname(guard), "gopls-standin");
  fs.copyFileSync(standinGopls(), standin);
  fs.chmodSync(standin, 0o755);
  const home = fs.mkdtempSync(path.join("/tmp", "gg-share-alice-"));
  t.after(() => fs.rmSync(home, { recursive: true, force: true }));
  fs.mkdirSync(path.join(home, "ws"));
  fs.writeFileSync(path.join(home, "ws", "go.mod"), "module example.com/ws\n");
  execFileSync("chown", ["-R", "gg-alice:gg-alice", home]);
  fs.chmodSync(home, 0o700);
  const uid = Number(execFileSync("id", ["-u", "gg-alice"], { encoding: "utf8" }).trim());
  const env = guardEnv(path.join(home, "guard"), {
    HOME: homeOf("gg-alice"),
    USER: "gg-alice",
    GOPLS_GUARD_SHARE: "1",
    GOPLS_GUARD_GOPLS: standin,
    XDG_RUNTIME_DIR: "",
  });
  delete env.GOPLS_GUARD_SHARE_DIR;
  const alice = new Peer(
    ["--reuid", "gg-alice", "--regid", "gg-alice", "--init-groups", "--", process.execPath, guard],
    env,
    path.join(home, "ws"),
    "setpriv",
  );
  t.after(() => alice.kill());
  t.after(() => {
    // Her instance: found by its home, as tempDir would.
    for (const line of execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n"))
      if (line.includes("__shared-instance") && line.includes(`gopls-guard-${uid}/`))
        try {
          process.kill(Number(line.trim().split(" ")[0]), "SIGKILL");
        } catch {}
  });
  await alice.initialize({ workspaceFolders: [{ uri: `file://${home}/ws`, name: "ws" }] });
  const dir = `/tmp/gopls-guard-${uid}`;
  let sock = "";
  await waitUntil("alice's socket", () => {
    sock = fs.existsSync(dir) ? (fs.readdirSync(dir).find((n) => n.endsWith(".sock")) ?? "") : "";
    return sock !== "";
  });
  const st = fs.lstatSync(dir);
  assert.equal(st.uid, uid);
  assert.equal(st.mode & 0o777, 0o700);
  // Bob cannot even reach it.
  const probe = `require("net").connect(${JSON.stringify(path.join(dir, sock))}).on("connect",()=>{console.log("connected");process.exit(0)}).on("error",(e)=>{console.log(e.code);process.exit(0)})`;
  const r = await asUser("gg-bob", [process.execPath, "-e", probe], {});
  assert.equal(r.stdout.trim(), "EACCES");
  // Bob pointing his guard at alice's dir is refused: his session runs its own gopls.
  const bob = new Peer(
    ["--reuid", "gg-bob", "--regid", "gg-bob", "--init-groups", "--", process.execPath, guard],
    {
      ...env,
      HOME: homeOf("gg-bob"),
      USER: "gg-bob",
      GOPLS_GUARD_HOME: "",
      GOPLS_GUARD_SHARE_DIR: dir,
    },
    "/tmp",
    "setpriv",
  );
  t.after(() => bob.kill());
  await bob.initialize({ workspaceFolders: [{ uri: "file:///tmp", name: "tmp" }] });
  await bob.waitFor("the refusal", (m: Json) =>
    JSON.stringify(m).includes(`belongs to user ${uid}`),
  );
  await waitUntil(
    "bob's own gopls",
    () => ownGopls(bob).length > 0 || childrenOf(childrenOf(bob.pid)[0] ?? 0).length > 0,
  );
});

test("folder changes in a row: the session moves to the new key's instance once, no answer twice", async (t) => {
  const s = setup(t, { GOPLS_GUARD_SHARE_IDLE_MS: "1000" });
  const a = client(t, s);
  await open(a, s);
  await oneInstance(s, 1);
  const slow = a.request("standin/sleep", "1500");
  for (const name of ["two", "three"]) {
    fs.mkdirSync(path.join(s.home, name));
    a.notify("workspace/didChangeWorkspaceFolders", {
      event: { added: [{ uri: `file://${s.home}/${name}`, name }], removed: [] },
    });
  }
  assert.equal((await a.response(slow, 20_000)).result, "slept");
  // The instances of the folders it left go idle and exit: one is left, with this client.
  await waitUntil("one instance", () => instances(s).size === 1, 20_000);
  await oneInstance(s, 1);
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(a.received.filter((m) => m.id === slow && !m.method).length, 1);
  const st = await state(a);
  assert.deepEqual(Object.keys(st.documents), [`file://${s.folder}/a.go`]);
});

test("gopls takes back a request: the client it went to hears it under the id it was given", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  await open(a, s);
  await open(b, s);
  await oneInstance(s, 2);
  await a.call("standin/ask-and-cancel");
  const asked = await a.waitFor("the request", (m) => m.method === "window/showMessageRequest");
  const cancel = await a.waitFor("its cancellation", (m) => m.method === "$/cancelRequest");
  assert.deepEqual(cancel.params, { id: asked.id });
  // B was not asked, so it hears of no cancellation.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(b.received.filter((m) => m.method === "$/cancelRequest").length, 0);
});

test("after a replacement, what the dead instance registered is undone before the new one registers", async (t) => {
  const s = setup(t, { STANDIN_REGISTER: "1" });
  const a = client(t, s);
  await open(a, s);
  const instance = await oneInstance(s, 1);
  await a.waitFor("the registration", (m) => m.method === "client/registerCapability");
  process.kill(instance, "SIGKILL");
  await waitUntil(
    "a second registration",
    () => a.received.filter((m) => m.method === "client/registerCapability").length === 2,
  );
  const order = a.received
    .filter((m) => /^client\/(un)?registerCapability$/.test(m.method ?? ""))
    .map((m) => m.method);
  assert.deepEqual(order, [
    "client/registerCapability",
    "client/unregisterCapability",
    "client/registerCapability",
  ]);
});

test("a client whose folder is in the module cache joins the workspace it was reached from", async (t) => {
  const base = setup(t);
  const modcache = path.join(base.home, "modcache");
  const dep = path.join(modcache, "example.com", "dep@v1.0.0");
  fs.mkdirSync(dep, { recursive: true });
  const s = { ...base, env: { ...base.env, GOMODCACHE: modcache } };
  const a = client(t, s);
  await open(a, s);
  const instance = await oneInstance(s, 1);
  const b = client(t, s);
  await b.initialize({ workspaceFolders: [{ uri: `file://${dep}`, name: "dep" }] });
  const uri = `file://${dep}/dep.go`;
  b.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text: "package dep\n" },
  });
  assert.equal(await oneInstance(s, 2), instance);
  assert.equal((await state(b)).pid, (await state(a)).pid);
  assert.ok(Object.keys((await state(a)).documents).includes(uri));
});

test("the shared gopls crashes: restarted once for all, every client's open files replayed", async (t) => {
  const s = setup(t);
  const a = client(t, s);
  const b = client(t, s);
  const uri = await open(a, s);
  await open(b, s);
  const other = `file://${s.folder}/b.go`;
  b.notify("textDocument/didOpen", {
    textDocument: { uri: other, languageId: "go", version: 3, text: "package ws // b\n" },
  });
  const instance = await oneInstance(s, 2);
  const before = (await state(a)).pid;
  await a.call("standin/crash");
  await waitUntil("a new gopls", () => {
    const [gopls] = childrenOf(instance);
    return gopls !== undefined && gopls !== before;
  });
  const after = await state(b);
  assert.notEqual(after.pid, before);
  assert.deepEqual(Object.keys(after.documents).sort(), [uri, other].sort());
  assert.equal(after.documents[other]?.text, "package ws // b\n");
  // Both clients are told, and both go on.
  for (const peer of [a, b]) {
    await peer.waitFor("the crash notice", (m) => /restarted/.test(JSON.stringify(m)));
    const r = await peer.call("textDocument/hover", {
      textDocument: { uri },
      position: { line: 0, character: 2 },
    });
    assert.equal((r.result as { position: { character: number } }).position.character, 2);
  }
  assert.equal(await oneInstance(s, 2), instance);
});

/** Answers gopls's settings requests with what `settings()` says now. */
function answersSettings(peer: Peer, settings: () => unknown): void {
  peer.onMessage = (m) => {
    if (m.method === "workspace/configuration" && m.id !== undefined)
      peer.send({ id: m.id, result: (m.params as { items: unknown[] }).items.map(settings) });
  };
}

test("a settings change parts a client only when its gopls settings changed, to share by them", async (t) => {
  const s = setup(t, { STANDIN_CONFIG: "1" });
  const a = client(t, s);
  const b = client(t, s);
  const d = client(t, s);
  answersSettings(a, () => ({ staticcheck: false }));
  let mine: unknown = { staticcheck: false };
  answersSettings(b, () => mine);
  answersSettings(d, () => mine);
  const uri = await open(a, s);
  await a.waitFor("gopls asking for settings", (m) => m.method === "workspace/configuration");
  await open(b, s);
  await open(d, s);
  await oneInstance(s, 3);
  // Another editor setting changed (VS Code says so for any section): B stays.
  b.notify("workspace/didChangeConfiguration", { settings: null });
  const r = await b.call("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 4 },
  });
  assert.equal((r.result as { position: { character: number } }).position.character, 4);
  await oneInstance(s, 3);
  // Its gopls settings changed (a user setting, so D's too): B moves to an instance keyed by
  // them, says why, and D, changed the same way, joins B there rather than a third gopls.
  mine = { staticcheck: true };
  b.notify("workspace/didChangeConfiguration", { settings: null });
  await b.waitFor("why", (m) => JSON.stringify(m).includes("its gopls settings changed"));
  d.notify("workspace/didChangeConfiguration", { settings: null });
  await waitUntil("A alone, B and D together", () => {
    const counts = statusJson(s)
      .flatMap((x) => (x.shared ? [x.shared.clients.length] : []))
      .sort();
    return JSON.stringify(counts) === "[1,2]";
  });
  assert.deepEqual([...ownGopls(b), ...ownGopls(d)], []);
  const hb = await b.call("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 6 },
  });
  assert.equal((hb.result as { position: { character: number } }).position.character, 6);
});

/** Runs the stand-in's command that asks the editor to apply an edit labelled `tag` after `ms`. */
function command(peer: Peer, tag: string, ms: number): number {
  return peer.request("workspace/executeCommand", {
    command: "standin.edit",
    arguments: [tag, ms],
  });
}

/** Two clients of one instance that apply the edits gopls asks for, as editors do. */
async function twoEditors(t: { after(fn: () => void): void }): Promise<{ a: Peer; b: Peer }> {
  const s = setup(t);
  const [a, b] = [client(t, s), client(t, s)] as [Peer, Peer];
  for (const peer of [a, b])
    peer.onMessage = (m) => {
      if (m.method === "workspace/applyEdit") peer.send({ id: m.id, result: { applied: true } });
    };
  await open(a, s);
  await open(b, s);
  await oneInstance(s, 2);
  return { a, b };
}

function editsSeen(peer: Peer): string[] {
  return peer.received
    .filter((m) => m.method === "workspace/applyEdit")
    .map((m) => (m.params as { label: string }).label);
}

test("commands run one at a time; a command's edit goes to its client, never another's", async (t) => {
  const { a, b } = await twoEditors(t);
  const x = command(a, "A", 800);
  await new Promise((r) => setTimeout(r, 100));
  const y = command(b, "B", 10);
  // A's editor goes away while its command runs: gopls still sends A's edit.
  await new Promise((r) => setTimeout(r, 100));
  a.kill();
  assert.equal((await b.response(y, 15_000)).result, "B");
  // Past the time A's command sends its edit (800 ms after it began).
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(editsSeen(b), ["B"]);
  void x;
});

test("a command cancelled while it waits its turn is answered so and never runs", async (t) => {
  const { a, b } = await twoEditors(t);
  const x = command(a, "A", 500);
  await new Promise((r) => setTimeout(r, 100));
  const y = command(b, "B", 10);
  b.notify("$/cancelRequest", { id: y });
  const answer = await b.response(y);
  assert.equal(answer.error?.code, -32800);
  assert.equal((await a.response(x)).result, "A");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(editsSeen(b), []);
});

test("progress an instance began ends for the editor when the instance is gone", async (t) => {
  const s = setup(t, { STANDIN_PROGRESS: "1" });
  const a = client(t, s);
  await open(a, s);
  const instance = await oneInstance(s, 1);
  await a.waitFor("the load's progress", (m) => m.method === "$/progress");
  process.kill(instance, "SIGKILL");
  const kinds = () =>
    a.received
      .filter((m) => m.method === "$/progress")
      .map((m) => (m.params as { value: { kind: string } }).value.kind);
  await waitUntil("the new instance's progress", () => kinds().length >= 3);
  assert.deepEqual(kinds().slice(0, 3), ["begin", "end", "begin"]);
});

test("an instance whose idle check found a connection still open exits once it closes", async (t) => {
  const s = setup(t, { GOPLS_GUARD_SHARE_IDLE_MS: "500" });
  const a = client(t, s);
  await open(a, s);
  const instance = await oneInstance(s, 1);
  const key = statusJson(s).find((x) => x.shared)?.shared as unknown as {
    key: string;
    parts: Record<string, string>;
    socket: string;
  };
  // A client that says hello and exit, and does not close its end (a suspended editor's guard).
  const raw = net.connect({ path: key.socket, allowHalfOpen: true });
  await new Promise((r) => raw.once("connect", r));
  for (const m of [
    {
      jsonrpc: "2.0",
      method: "gopls-guard/hello",
      params: { key: { hash: key.key, parts: key.parts, shown: {} } },
    },
    { jsonrpc: "2.0", method: "exit" },
  ]) {
    const body = JSON.stringify(m);
    raw.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  raw.resume();
  assert.equal((await a.call("shutdown")).result, null);
  a.notify("exit");
  await a.exited;
  // The idle time passes with that connection open: the instance stays.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(alive(instance));
  raw.destroy();
  await waitGone(instance, 10_000);
});

test("gopls's settings request to a client that does not answer goes to another after 5 s", async (t) => {
  const s = setup(t, { STANDIN_CONFIG: "1" });
  const a = client(t, s);
  const b = client(t, s);
  // A is the first client (gopls asks it) and never answers, as a suspended editor would not.
  await open(a, s);
  await a.waitFor("gopls asking A", (m) => m.method === "workspace/configuration");
  answersSettings(b, () => ({}));
  await open(b, s);
  await b.waitFor(
    "gopls's question, asked of B",
    (m) => m.method === "workspace/configuration",
    15_000,
  );
});
