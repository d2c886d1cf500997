/** Timezone names: validation and the system default. */
import { InvalidTriggerError } from "../errors.js";

const valid = new Map<string, boolean>();

/** Throws InvalidTriggerError naming `field` unless `zone` is an IANA timezone this runtime knows. */
export function assertTimeZone(zone: unknown, field: string): asserts zone is string {
  if (typeof zone === "string" && zone.length > 0 && zone.length <= 64) {
    let ok = valid.get(zone);
    if (ok === undefined) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        ok = true;
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        ok = false;
      }
      valid.set(zone, ok);
    }
    if (ok) return;
  }
  throw new InvalidTriggerError(
    field,
    'an IANA timezone such as "Europe/Berlin", "America/New_York" or "UTC"',
    zone,
  );
}

/** The timezone of this process (`TZ`, or the system's), "UTC" when it cannot be told. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
