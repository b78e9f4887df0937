/** Shared assertion for the validate tests: an OmbValidationError for one field and rule. */
import assert from "node:assert/strict";
import { type OmbRule, OmbValidationError } from "./validate.js";

/** Asserts that `fn` throws an OmbValidationError for exactly this field and rule. */
export function throwsRule(fn: () => void, field: string, rule: OmbRule): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof OmbValidationError, String(err));
    assert.equal(err.field, field);
    assert.equal(err.rule, rule);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
    assert.match(err.message, /, got ".*"$/s);
    return true;
  });
}
