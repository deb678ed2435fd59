// Go off the editor's PATH, for real: the editor's PATH has no go, the guard finds the Go at
// its well-known place, and the real gopls must still work: gopls runs `go` itself, so it gets
// that Go's directory first on its PATH. The warning comes before anything gopls says, on a
// cold start and on a warm one, and the doctor shows the PATH gopls gets.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { initializeParams, startClient } from "../helpers/client.js";
import { copyFixture, GUARD, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";
import { parseReport } from "../helpers/report.js";

const run = promisify(execFile);
const skip = fs.existsSync("/usr/local/go/bin/go") ? false : "needs the Go at /usr/local/go";

test("go only at its well-known place: the real gopls answers hover and diagnostics, warned first, cold and warm", {
  skip,
  timeout: 240_000,
}, async (t) => {
  const dir = copyFixture(t, "hello");
  const home = tempDir(t);
  const env = guardEnv(path.join(home, "guard"), {
    HOME: home,
    SHELL: "/bin/sh",
    PATH: "/usr/bin:/bin",
    GOPLS_GUARD_GOPLS: realGopls(),
    GOFLAGS: "-mod=mod",
    GOCACHE: path.join(home, "gocache"),
  });
  assert.equal(
    (await run("sh", ["-c", "command -v go || true"], { env })).stdout,
    "",
    "go is not on this PATH",
  );

  const report = parseReport(
    await run(process.execPath, [GUARD, "doctor", "--json"], { env, cwd: dir }),
  );
  assert.equal(report.facts.go?.source, "well-known location");
  assert.match(report.facts.go?.goplsPATH ?? "", /^\/usr\/local\/go\/bin:\/usr\/bin:\/bin$/);
  assert.equal(report.findings.filter((f) => f.id === "go.missing").length, 1);

  for (const start of ["cold", "warm"]) {
    const client = startClient(process.execPath, [GUARD], env, dir);
    t.after(() => client.child.kill("SIGKILL"));
    const c = client.connection;
    await c.sendRequest("initialize", initializeParams(dir));
    // Sent before gopls was started, so before anything gopls says.
    const first = client.shown[0]?.message ?? "";
    assert.match(
      first,
      /\[go\.missing\] go is not on PATH; the guard uses \/usr\/local\/go\/bin\/go and puts \/usr\/local\/go\/bin first on gopls's PATH/,
      `${start}: ${first}`,
    );
    await c.sendNotification("initialized", {});
    const uri = `file://${path.join(dir, "hello.go")}`;
    await c.sendNotification("textDocument/didOpen", {
      textDocument: {
        uri,
        languageId: "go",
        version: 1,
        text: fs.readFileSync(path.join(dir, "hello.go"), "utf8"),
      },
    });
    const hover = (await c.sendRequest("textDocument/hover", {
      textDocument: { uri },
      position: { line: 17, character: 9 },
    })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? "", /func Greet\(g Greeting\) string/, start);
    await waitUntil(
      `${start}: gopls's diagnostic for hello.go`,
      () =>
        (client.diagnostics.get(uri) ?? []).some((d) => JSON.stringify(d).includes("not an int")),
      60_000,
    );
    const complaints = client.shown.filter((m) =>
      /go command required|no views|not found/.test(m.message),
    );
    assert.deepEqual(complaints, [], start);
    assert.equal(client.shown.filter((m) => m.message.includes("[go.missing]")).length, 1, start);
    assert.equal(await client.close(), 0);
  }
});
