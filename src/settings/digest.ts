/**
 * The `digest` setting: the weekly digest to each team's channel (workflows/digest.ts). Present (even as
 * `digest: {}`) it switches the digest on; absent, nothing is posted (posting into every team's channel
 * is the operator's call).
 *
 *   digest:
 *     day: monday          # default monday
 *     time: "09:00"        # HH:MM, default 09:00
 *     timeZone: UTC        # an IANA zone, default UTC
 */
import { z } from 'zod';
import { isTimeZone } from '../catalog/oncall.js';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const digestSchema = z.strictObject({
  day: z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` }).optional(),
  time: z
    .string({ error: 'must be a time such as "09:00"' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as "09:00" (24-hour HH:MM)')
    .optional(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
});

export interface DigestSettings {
  day: Weekday;
  hour: number;
  minute: number;
  timeZone: string;
}

export function digestSettings(parsed: z.infer<typeof digestSchema> | undefined): DigestSettings | null {
  if (!parsed) return null;
  const [hour, minute] = (parsed.time ?? '09:00').split(':').map(Number) as [number, number];
  return { day: parsed.day ?? 'monday', hour, minute, timeZone: parsed.timeZone ?? 'UTC' };
}
