/**
 * Turning what people write into specs: a markdown implementation plan
 * (`nightshift plan import`), a one-line request (`nightshift submit -m`),
 * and the pieces `nightshift submit` uses to place a spec in specs/active/.
 */
export { parseArgvJson } from './argv.ts';
export { specToYaml, type EmitOptions } from './emit.ts';
export { isSpecId, slugFrom, slugify, withSuffix } from './ids.ts';
export { activeFile, existingIds, placeNew } from './place.ts';
export { checkRepo, isRemoteRepo, repoPathFor } from './repo.ts';
export { requestToSpec, type RequestOptions } from './request.ts';
export { rebaseModeline, schemaPathFor } from './schema-line.ts';
export { specFileDraft, type SpecDraft } from './spec-file.ts';
export { planToSpec, type PlanImport, type PlanImportOptions } from './to-spec.ts';
export type { PlanWarning } from './types.ts';
export { formatWarning, readInput } from './read.ts';
