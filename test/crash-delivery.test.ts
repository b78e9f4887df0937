// SIGKILL at 20+ points of a fan-out from one sidecar on its JSON store (the scenario and
// its promise: test/helpers/crash-omb-fanout.ts; several processes on PostgreSQL:
// test/pg-processes-fanout.test.ts).
import { test } from "node:test";
import { ombFanoutCrash } from "./helpers/crash-omb-fanout.js";

test(
  "SIGKILL at 20+ points of a fan-out: after restarts every notice reaches every destination",
  {
    timeout: 240_000,
  },
  (t) => ombFanoutCrash(t),
);
