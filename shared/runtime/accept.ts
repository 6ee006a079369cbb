/**
 * The check every handler and host makes first: is this event one the
 * function is triggered by?
 */
import { NightshiftError } from '../errors.ts';
import { eventNameForType, type EventName } from '../events/catalog.ts';
import type { NightshiftFunction, NsEvent } from './types.ts';

/** The event's catalogue name; throws WRONG_FUNCTION (422) if `fn` does not accept it. */
export function assertAccepted(fn: Pick<NightshiftFunction, 'name' | 'accepts'>, event: NsEvent): EventName {
  const name = eventNameForType(event.type);
  if (!name || !fn.accepts.includes(name)) {
    throw new NightshiftError(
      'WRONG_FUNCTION',
      `${fn.name} does not handle "${event.type}"; it handles ${fn.accepts.join(', ')}`,
      { details: { accepts: fn.accepts } },
    );
  }
  return name;
}
