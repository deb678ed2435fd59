import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { FAULT_IDS, FAULTS, isFaultId } from "../src/faults.js";
import { ROOT } from "./helpers/env.js";

const CATALOGUE = path.join(ROOT, "..", "shared", "FAULTS.md");
const ID = /`([a-z]+\.[a-z_]+)`/g;

/** The backticked ids in the first column of a markdown table's rows. */
function tableIds(markdown: string): string[] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(ID)].map((m) => m[1] as string));
}

test("every id in FAULTS.md is in the fault table", (t) => {
  if (!fs.existsSync(CATALOGUE)) {
    t.skip(`${CATALOGUE} is absent: cannot compare the table with the catalogue`);
    return;
  }
  const ids = tableIds(fs.readFileSync(CATALOGUE, "utf8"));
  assert.ok(ids.length >= 28, `only ${ids.length} ids parsed from ${CATALOGUE}`);
  assert.deepEqual(
    ids.filter((id) => !isFaultId(id)),
    [],
  );
});

test("every id in the fault table is in the README's fault-id table", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split("## Fault ids and what to do")[1]?.split("\n## ")[0] ?? "";
  const documented = new Set(tableIds(section));
  assert.deepEqual(
    FAULT_IDS.filter((id) => !documented.has(id)),
    [],
  );
  assert.deepEqual(
    [...documented].filter((id) => !isFaultId(id)),
    [],
    "the README documents an id the guard does not have",
  );
});

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : [p];
  });
}

test("every id in the fault table is named by a test that reproduces it", () => {
  const self = path.join(ROOT, "test", "faults.test.ts");
  const texts = testFiles(path.join(ROOT, "test"))
    .filter((f) => f !== self)
    .map((f) => fs.readFileSync(f, "utf8"));
  const named = (id: string) =>
    texts.some((text) => text.includes(id) || text.includes(id.replace(".", "\\.")));
  assert.deepEqual(
    FAULT_IDS.filter((id) => !named(id)),
    [],
  );
});

test("each fault has a severity, a title and a place it is documented", () => {
  for (const [id, fault] of Object.entries(FAULTS)) {
    assert.match(id, /^[a-z]+\.[a-z_]+$/);
    assert.ok(["error", "warning", "info"].includes(fault.severity), id);
    assert.ok(fault.title.length > 0 && fault.title.length <= 80, id);
    assert.match(fault.doc, /^(FAULTS\.md §\d|README\.md)/, id);
  }
});
