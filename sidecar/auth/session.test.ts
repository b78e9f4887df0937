import assert from "node:assert/strict";
import { test } from "node:test";
import type { Request, Response } from "express";
import { openMemoryStore } from "../store/memory/memory-store.js";
import { OwnerSessions } from "./session.js";

const config = { publicUrl: "https://fed.example/", login: { sessionHours: 1 } } as never;

/** Just what OwnerSessions reads and writes of a request and a response. */
function browser() {
  const jar: Record<string, string> = {};
  const req = () => ({ cookies: { ...jar } }) as unknown as Request;
  const res = {
    cookie: (name: string, value: string) => {
      jar[name] = value;
    },
    clearCookie: (name: string) => {
      delete jar[name];
    },
  } as unknown as Response;
  return { req, res, jar };
}

test("a login lives in the store: another process on it, or a restart, knows it; logout ends it", async () => {
  const store = await openMemoryStore();
  const one = new OwnerSessions(store, config);
  const b = browser();
  assert.equal(await one.isOwner(b.req()), false);
  await one.logIn(b.req(), b.res);
  assert.equal(await one.isOwner(b.req()), true);
  // A second process (or the same one after a restart) has no memory of its own.
  const two = new OwnerSessions(store, config);
  assert.equal(await two.isOwner(b.req()), true, "known through the store");
  const entries = await store.kvList("owner-session:");
  assert.equal(entries.length, 1);
  const cookieId = (Object.values(b.jar)[0] ?? "").split(".")[0] ?? "";
  assert.ok(
    cookieId.length > 10 && !entries[0]?.key.includes(cookieId),
    "the id itself is not stored",
  );
  await two.logOut(b.req(), b.res);
  assert.equal(await one.isOwner(b.req()), false);
  assert.deepEqual(await store.kvList("owner-session:"), []);
  await store.close();
});

test("a forged or altered cookie is no login", async () => {
  const store = await openMemoryStore();
  const sessions = new OwnerSessions(store, config);
  const b = browser();
  await sessions.logIn(b.req(), b.res);
  const [name, value] = Object.entries(b.jar)[0] ?? ["", ""];
  b.jar[name] = `${value.slice(0, -2)}xx`;
  assert.equal(await sessions.isOwner(b.req()), false);
  await store.close();
});
