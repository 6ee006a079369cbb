/** The spec-folder watcher: `watchSpecs` reports spec changes, `changeToEvent` makes them CloudEvents. */
export { watchSpecs, DEFAULT_DEBOUNCE_MS, DEFAULT_RESCAN_MS, MIN_DEBOUNCE_MS } from './watcher.ts';
export type { SpecChange, SpecWatcher, WatchSpecsOptions } from './watcher.ts';
export { changeToEvent } from './event.ts';
export { isSpecFileName, specIdFromFileName } from './names.ts';
export { readSpecFile, idFromYaml, sha256 } from './read.ts';
export type { SpecFileFacts } from './read.ts';
