import { storeContract } from "../../src/testing/store-contract.js";
import { SqliteStore } from "../../src/stores/sqlite/index.js";
import { RETENTION, openTempStore, sqliteSkip } from "./fixtures/sqlite-helpers.js";

storeContract(
  "sqlite (file)",
  async () => {
    const { store, dispose } = await openTempStore();
    return { store, dispose };
  },
  { shared: true, commitsIfUnchanged: true, skip: sqliteSkip },
);

storeContract(
  "sqlite (:memory:)",
  async () => {
    const store = new SqliteStore({ path: ":memory:" });
    await store.open({ retention: RETENTION });
    return { store, dispose: () => store.close() };
  },
  { shared: true, commitsIfUnchanged: true, skip: sqliteSkip },
);
