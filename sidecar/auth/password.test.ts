import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, PasswordHashError, parsePasswordHash, verifyPassword } from "./password.js";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const h = await hashPassword("correct horse");
    assert.match(h, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword("correct horse", h), true);
    assert.equal(await verifyPassword("correct horsE", h), false);
    assert.equal(await verifyPassword("", h), false);
  });
  it("salts: the same password hashes differently twice", async () => {
    assert.notEqual(await hashPassword("x"), await hashPassword("x"));
  });
  it("refuses a hash that was not made by hash-password", () => {
    assert.throws(() => parsePasswordHash("hunter2"), PasswordHashError);
    assert.throws(() => parsePasswordHash("scrypt$100$8$1$a$b"), PasswordHashError);
  });
  it("refuses an empty password", async () => {
    await assert.rejects(hashPassword(""), /empty/);
  });
});
