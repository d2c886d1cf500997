/** Who is calling, and the short-lived token that lets a browser's EventSource open the event stream. */
import { z } from "zod";
import { DateTimeSchema } from "./common.js";

export const ACCESS_LEVELS = ["read", "full"] as const;

export const WhoAmISchema = z.object({
  /** The token's name (`default` for CRONQ_API_TOKEN, `anonymous` on an open loopback server). */
  name: z.string(),
  /** `read` sees everything and changes nothing; `full` may change anything. */
  access: z.enum(ACCESS_LEVELS),
});

export const SessionSchema = WhoAmISchema.extend({
  /** Opens GET /events?token=... (or use the cookie this response sets). Valid until `expiresAt`. */
  eventsToken: z.string(),
  expiresAt: DateTimeSchema,
});

export type WhoAmI = z.output<typeof WhoAmISchema>;
export type Session = z.output<typeof SessionSchema>;
