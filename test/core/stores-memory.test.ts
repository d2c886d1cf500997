import { MemoryStore } from "../../src/core/stores/memory.js";
import { storeContract } from "../../src/testing/store-contract.js";

storeContract(
  "memory",
  async () => {
    const store = new MemoryStore();
    await store.open({ retention: { maxRunsPerJob: 3, maxAgeMs: 30 * 86_400_000 } });
    return { store, dispose: () => store.close() };
  },
  { shared: false, commitsIfUnchanged: true },
);
