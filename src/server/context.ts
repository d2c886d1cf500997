/** What every route handler may use: the scheduler and the server's own services. */
import type { Clock } from "../core/clock/clock.js";
import type { Scheduler } from "../core/scheduler/scheduler.js";
import type { Authenticator } from "./auth.js";
import type { ClusterView } from "./cluster.js";
import type { EventStream } from "./event-stream.js";
import type { ApiMetrics } from "./metrics.js";
import type { Overview } from "./overview.js";

export interface ServerContext {
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly cluster: ClusterView;
  readonly auth: Authenticator;
  readonly events: EventStream;
  /** Null when metrics are turned off. */
  readonly metrics: ApiMetrics | null;
  readonly overview: Overview;
  /** The OpenAPI document, built on first request. */
  openApi(): unknown;
}
