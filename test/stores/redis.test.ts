import { after } from "node:test";
import { RedisStore } from "../../src/stores/redis/index.js";
import { storeContract } from "../../src/testing/store-contract.js";
import { REDIS_URL, adminClient, deleteKeys, redisSkip, testPrefix } from "./redis-helpers.js";

const admin = adminClient();
after(() => admin.disconnect());

// The contract drives time with plain numbers (`now: 1000`), so leases are measured on the
// caller's clock here; redis-store.test.ts covers leases on Redis's clock.
storeContract(
  "redis",
  async () => {
    const prefix = testPrefix("contract");
    const store = new RedisStore({ redis: REDIS_URL, prefix, leaseClock: "caller" });
    await store.open({ retention: { maxRunsPerJob: 3, maxAgeMs: 30 * 86_400_000 } });
    return {
      store,
      dispose: async () => {
        await store.close();
        await deleteKeys(admin, prefix);
      },
    };
  },
  { shared: true, commitsIfUnchanged: true, skip: redisSkip },
);
