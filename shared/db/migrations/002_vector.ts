import type { Migration } from './types.ts';

/**
 * Failure embeddings in pgvector, searched by cosine distance through an HNSW
 * index. The dimension comes from configuration (default 256) and must match
 * the embedder's output; changing it later needs a new migration.
 */
export const vectorEmbeddings: Migration = {
  version: 2,
  name: 'vector_embeddings',
  optional: 'pgvector',
  sql: ({ vectorDim }) => `
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE error_embeddings (
  failure_id integer PRIMARY KEY REFERENCES failure_logs (id) ON DELETE CASCADE,
  embedding vector(${vectorDim}) NOT NULL
);
CREATE INDEX error_embeddings_hnsw ON error_embeddings USING hnsw (embedding vector_cosine_ops);
`,
};
