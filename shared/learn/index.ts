/**
 * The learning core of learn-from-failure: error normalisation, embedders,
 * the retry policy, hints, and the record/search/resolve steps over the database.
 */
export * from './normalize.ts';
export * from './embedder.ts';
export * from './openai-embedder.ts';
export * from './embedder-config.ts';
export * from './retry-policy.ts';
export * from './hints.ts';
export * from './learn.ts';
