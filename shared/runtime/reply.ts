/**
 * The JSON bodies a function process answers `POST /` with, as zod schemas so
 * that callers (the bridge, tests, scripts) can read them back checked.
 *
 * 200: `{ handled: { id, type, mode }, emitted: [ structured CloudEvents ], published, dryRun }`
 * 4xx/5xx: `{ error: { code, message, details? } }`
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';

export const HandledReply = z.strictObject({
  /** The event that was handled (for a ping, the event built from it). */
  handled: z.strictObject({
    id: z.string(),
    type: z.string(),
    mode: z.enum(['binary', 'structured', 'ping']),
  }),
  /** Every event the handler emitted, in structured-mode JSON form. */
  emitted: z.array(z.record(z.string(), z.unknown())),
  /** True when the events were handed to the bus (false in a dry run or with no bus). */
  published: z.boolean(),
  dryRun: z.boolean(),
});
export type HandledReply = z.infer<typeof HandledReply>;

export const ErrorReply = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorReply = z.infer<typeof ErrorReply>;
