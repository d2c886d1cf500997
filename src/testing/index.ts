/** Test helpers for cronq users: a fake clock to drive time, and the store contract suite. */
export { FakeClock } from "../core/clock/fake-clock.js";
export { storeContract } from "./store-contract.js";
export type { StoreContractOptions, StoreUnderTest } from "./store-contract.js";
export { jobRecord, runRecord } from "./records.js";
