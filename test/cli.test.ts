import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCommand } from "../src/cli.js";

const table: Array<[string[], string]> = [
  [[], "serve"],
  [["serve"], "serve"],
  [["-mode=stdio"], "serve"],
  [["-remote=auto"], "serve"],
  [["-rpc.trace", "-logfile=/tmp/x"], "serve"],
  [["-logfile", "/tmp/x", "serve", "-rpc.trace"], "serve"],
  [["-remote", "auto"], "serve"],
  [["--", "serve"], "serve"],
  [["version"], "passthrough"],
  [["version", "-json"], "passthrough"],
  [["help"], "passthrough"],
  [["check", "x.go"], "passthrough"],
  [["-listen=:37374"], "passthrough"],
  [["serve", "-listen=127.0.0.1:0"], "passthrough"],
  [["-logfile", "version"], "serve"],
  [["doctor", "--json"], "guard"],
  [["install", "--version", "v0.16.2"], "guard"],
  [["which"], "guard"],
  [["link", "/tmp/x"], "guard"],
  [["--help"], "usage"],
];

for (const [argv, kind] of table) {
  test(`\`gopls-guard ${argv.join(" ")}\` is ${kind}`, () => {
    const command = parseCommand(argv);
    assert.equal(command.kind, kind);
    if (command.kind === "serve" || command.kind === "passthrough")
      assert.deepEqual(command.goplsArgs, argv);
  });
}
