/**
 * Turns a watcher change into the `spec.created` / `spec.updated` CloudEvent
 * the bridge publishes on `specs.created` / `specs.updated`.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { NightshiftError } from '../errors.ts';
import { makeEvent } from '../events/cloudevent.ts';
import type { NsEvent } from '../runtime/types.ts';
import type { SpecChange } from './watcher.ts';

/**
 * The CloudEvent for a change. Its `path` is relative to `specsRoot` (the
 * SPECS_DIR folder, so `active/<file>.yaml`) with `/` separators: receivers
 * resolve it against their own SPECS_DIR, which works when the function runs
 * with the project mounted somewhere else than the watcher. Its id is
 * `<specId>/<hash>/<created|updated>`, so the same content reported twice is
 * the same event and the bus drops the repeat.
 *
 * Throws BAD_EVENT if the file is not inside `specsRoot`.
 */
export function changeToEvent(change: SpecChange, specsRoot: string): NsEvent {
  const rel = relative(resolve(specsRoot), resolve(change.path));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new NightshiftError('BAD_EVENT', `spec file ${change.path} is not inside the specs folder ${resolve(specsRoot)}`);
  }
  const data = { specId: change.specId, path: rel.split(sep).join('/'), hash: change.hash };
  return makeEvent(change.kind === 'created' ? 'spec.created' : 'spec.updated', data);
}
