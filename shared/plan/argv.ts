/**
 * Reads an argv given on the command line as a JSON array
 * (`--agent-command '["node","agent.mjs"]'`): nightshift never runs a
 * command through a shell, so a command is always a list of words.
 */
import { NightshiftError } from '../errors.ts';

/** Parses `text` as a JSON array of non-empty strings; throws BAD_REQUEST naming `option`. */
export function parseArgvJson(text: string, option: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new NightshiftError(
      'BAD_REQUEST',
      `${option} must be a JSON array of words, the program first, for example ${option} '["npm","test"]' (got ${JSON.stringify(text)})`,
    );
  }
  return value as string[];
}
