/**
 * Sharing between jobs: a hundred thousand jobs on `* * * * * *` need one parsed cron trigger, one
 * spec object and one description, not a hundred thousand. Triggers and specs are immutable, so
 * sharing them is safe; the pool holds them weakly, and forgets an entry once no job uses it.
 */
import type { JobPolicy } from "../jobs/policies.js";
import { triggerFromSpec } from "../triggers/index.js";
import type { Trigger, TriggerSpec } from "../triggers/trigger.js";

/** Distinct policies are few; past this many, the policy table starts over rather than grow. */
const MAX_POLICIES = 10_000;

export class TriggerPool {
  readonly #triggers = new Map<string, WeakRef<Trigger>>();
  readonly #specs = new WeakMap<Trigger, TriggerSpec>();
  /** Stored spec objects (stores share equal specs as one frozen object) to their trigger. */
  readonly #bySpec = new WeakMap<object, Trigger>();
  readonly #descriptions = new WeakMap<Trigger, string>();
  readonly #policies = new Map<string, JobPolicy>();
  readonly #forget = new FinalizationRegistry<string>((key) => {
    if (this.#triggers.get(key)?.deref() === undefined) this.#triggers.delete(key);
  });

  /** The pooled trigger equal to `trigger` (same JSON spec), or `trigger` itself, now pooled. */
  trigger(trigger: Trigger): Trigger {
    const spec = trigger.toJSON();
    const key = JSON.stringify(spec);
    const pooled = this.#triggers.get(key)?.deref();
    if (pooled) return pooled;
    this.#triggers.set(key, new WeakRef(trigger));
    const frozen = Object.freeze(spec);
    this.#specs.set(trigger, frozen);
    this.#bySpec.set(frozen, trigger);
    this.#forget.register(trigger, key);
    return trigger;
  }

  /** The shared, frozen spec of a pooled trigger. */
  spec(trigger: Trigger): TriggerSpec {
    let spec = this.#specs.get(trigger);
    if (!spec) {
      spec = Object.freeze(trigger.toJSON());
      this.#specs.set(trigger, spec);
      this.#bySpec.set(spec, trigger);
    }
    return spec;
  }

  /** The trigger {@link fromSpec} built for this very spec object, if it did. */
  cachedFromSpec(spec: object): Trigger | undefined {
    return this.#bySpec.get(spec);
  }

  /**
   * The pooled trigger of a stored spec. A spec object is frozen and stores hand out one object
   * per distinct spec (up to a limit), so the answer is remembered per object. Throws
   * InvalidArgumentError for a spec that is not a valid trigger.
   */
  fromSpec(spec: object): Trigger {
    let trigger = this.#bySpec.get(spec);
    if (!trigger) {
      trigger = this.trigger(triggerFromSpec(spec));
      if (Object.isFrozen(spec)) this.#bySpec.set(spec, trigger);
    }
    return trigger;
  }

  /** The trigger's description, computed once (cronstrue takes tens of microseconds). */
  describe(trigger: Trigger): string {
    let text = this.#descriptions.get(trigger);
    if (text === undefined) {
      text = trigger.describe();
      this.#descriptions.set(trigger, text);
    }
    return text;
  }

  /** The shared object equal to `policy`. */
  policy(policy: JobPolicy): JobPolicy {
    const key = JSON.stringify(policy);
    const pooled = this.#policies.get(key);
    if (pooled) return pooled;
    if (this.#policies.size >= MAX_POLICIES) this.#policies.clear();
    this.#policies.set(key, policy);
    return policy;
  }
}
