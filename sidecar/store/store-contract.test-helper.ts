/** The Store contract: one suite every backend must pass (memory, JSON, and any later one). */
import { afterEach, describe } from "node:test";
import type { Store } from "./store.js";
import { dailyContract } from "./store-contract-daily.test-helper.js";
import { followerContract } from "./store-contract-followers.test-helper.js";
import { grantContract } from "./store-contract-grants.test-helper.js";
import { kvContract } from "./store-contract-kv.test-helper.js";
import { limitContract } from "./store-contract-limits.test-helper.js";
import { logContract } from "./store-contract-log.test-helper.js";

/** Runs the contract against stores made by `open` (each test gets a fresh, empty one). */
export function storeContract(backend: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${backend}`, () => {
    let store: Store | undefined;
    const fresh = async () => {
      store = await open();
      return store;
    };
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    dailyContract(fresh);
    followerContract(fresh);
    grantContract(fresh);
    kvContract(fresh);
    limitContract(fresh);
    logContract(fresh);
  });
}
