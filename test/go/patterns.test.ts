import assert from "node:assert/strict";
import { test } from "node:test";
import { matchPrefixPatterns } from "../../src/go/patterns.js";

// Expectations checked against Go's module.MatchPrefixPatterns.
test("GOPRIVATE-style patterns match a module path or its prefixes, element by element, as Go does", () => {
  const gopls = "golang.org/x/tools/gopls";
  for (const yes of [
    "golang.org/x",
    "golang.org",
    "*",
    "golang.org/x/*",
    "*.org/x/tools",
    "a.com,golang.org/x/tools/gopls",
    "golang.org/x/",
    "golang.org/[w-x]",
    "golang.org/[^y]",
    "golang.org/\\x",
    "golang.or?/x",
  ])
    assert.equal(matchPrefixPatterns(yes, gopls), true, yes);
  for (const no of [
    "",
    "golang.org/x/tool",
    "golang.org/x/tools/gopls/internal",
    "*/y",
    "golang.org/[",
    "example.com/*",
    "a.com, golang.org", // no trimming: " golang.org" is another path
    "golang.org/x//", // one trailing slash goes, not two
    "golang.org/[z-a]", // an empty range: no match, no error
    "golang.org/[]x]",
    "golang.org/[a-]",
    "golang.org/x\\",
  ])
    assert.equal(matchPrefixPatterns(no, gopls), false, no);
});
