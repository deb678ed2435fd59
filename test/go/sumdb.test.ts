import assert from "node:assert/strict";
import { test } from "node:test";
import { proxyList } from "../../src/doctor/probe-sumdb.js";
import { sumdbAddress } from "../../src/go/sumdb.js";

test("GOSUMDB read as cmd/go reads it: the alias, an explicit URL, off", () => {
  assert.deepEqual(sumdbAddress(""), {
    name: "sum.golang.org",
    url: "https://sum.golang.org",
    explicit: false,
  });
  assert.deepEqual(sumdbAddress("sum.golang.google.cn"), {
    name: "sum.golang.org",
    url: "https://sum.golang.google.cn",
    explicit: true,
  });
  assert.deepEqual(sumdbAddress("sum.example+abcd1234+AQID http://127.0.0.1:9/"), {
    name: "sum.example",
    url: "http://127.0.0.1:9",
    explicit: true,
  });
  assert.equal(sumdbAddress("off"), undefined);
});

test("GOPROXY entries and which of them fall back on any error", () => {
  assert.deepEqual(proxyList("https://a.example|https://b.example/,direct"), [
    { url: "https://a.example", fallBackOnErr: true },
    { url: "https://b.example", fallBackOnErr: false },
    { url: "direct", fallBackOnErr: false },
  ]);
  assert.deepEqual(proxyList(""), []);
});
