import assert from "node:assert/strict";
import { test } from "node:test";
import { appendQuery } from "./url-query.js";

test("? or & as StatusNet joined them, and always before a fragment", () => {
  assert.equal(appendQuery("http://r.example/finish", "a=1"), "http://r.example/finish?a=1");
  assert.equal(
    appendQuery("http://r.example/index.php?action=finish", "a=1"),
    "http://r.example/index.php?action=finish&a=1",
  );
  assert.equal(appendQuery("http://r.example/f?", "a=1"), "http://r.example/f?a=1");
  assert.equal(appendQuery("http://r.example/f?x=1&", "a=1"), "http://r.example/f?x=1&a=1");
  assert.equal(appendQuery("http://r.example/finish#x", "a=1"), "http://r.example/finish?a=1#x");
  assert.equal(appendQuery("http://r.example/f?y=2#x?z", "a=1"), "http://r.example/f?y=2&a=1#x?z");
});
