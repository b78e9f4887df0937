// The interop suite test/subscribe.test.ts once more with its sidecars on PostgreSQL.
import { onPostgres } from "./helpers/on-postgres.js";

await onPostgres(() => import("./subscribe.test.js"));
