/**
 * Text helpers for what goes into attempt rows, spec files and prompts.
 */

/** The last `max` characters of `text`, marked when cut (errors say what failed at their end). */
export function tail(text: string, max: number): string {
  return text.length <= max ? text : `[...]${text.slice(text.length - max)}`;
}
