import assert from "node:assert/strict";
import { test } from "node:test";
import { matchPrefixPatterns } from "../../src/go/patterns.js";

test("GOPRIVATE-style patterns match a module path or its prefixes, element by element", () => {
  const gopls = "golang.org/x/tools/gopls";
  for (const yes of [
    "golang.org/x",
    "golang.org",
    "*",
    "golang.org/x/*",
    "*.org/x/tools",
    "a.com,golang.org/x/tools/gopls",
    "golang.org/x/",
  ])
    assert.equal(matchPrefixPatterns(yes, gopls), true, yes);
  for (const no of [
    "",
    "golang.org/x/tool",
    "golang.org/x/tools/gopls/internal",
    "*/y",
    "golang.org/[",
    "example.com/*",
  ])
    assert.equal(matchPrefixPatterns(no, gopls), false, no);
});
