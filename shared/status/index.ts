/**
 * The status read model, API and page: what `nightshift status`, the dev
 * gateway and the bridge's health server use to show where specs stand.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createStatusApi, type StatusApi } from './api.ts';

export { createStatusApi, ROUTES, type Route, type RouteContext, type StatusApi, type StatusApiOptions } from './api.ts';
export { attemptView, detailOf, specDetail, taskViews } from './detail.ts';
export type * from './model.ts';
export { findSpec, listSpecFiles, listSpecs, loadSpecs, type LoadedSpec, type SpecFile } from './specs.ts';
export { renderDetail, renderList, progressBar, formatDuration } from './text.ts';

/** The status API of a host (dev runner, bridge) from its config and database. */
export function statusApiFor(config: Config, db: Db | undefined, log: Logger): StatusApi {
  return createStatusApi({
    specsDir: config.SPECS_DIR,
    ...(db === undefined ? {} : { db }),
    ...(config.NIGHTSHIFT_TOKEN === undefined ? {} : { token: config.NIGHTSHIFT_TOKEN }),
    log: log.child({ component: 'status' }),
  });
}
