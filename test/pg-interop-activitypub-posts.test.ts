// The interop suite test/activitypub-interop-posts.test.ts once more with its sidecars on PostgreSQL.
import { onPostgres } from "./helpers/on-postgres.js";

await onPostgres(() => import("./activitypub-interop-posts.test.js"));
