/**
 * One registry of error codes. Every error nightshift raises on purpose is a
 * `NightshiftError` with a code from here; the HTTP status and whether a retry
 * can help come from the code, never from matching message text.
 */
export const ERROR_CODES = {
  // input at the doors (HTTP, events)
  BAD_EVENT: { status: 400, retryable: false, summary: 'the event is not a valid nightshift CloudEvent' },
  BAD_REQUEST: { status: 400, retryable: false, summary: 'the request body is not valid' },
  UNAUTHORIZED: { status: 401, retryable: false, summary: 'missing or wrong bearer token' },
  NOT_FOUND: { status: 404, retryable: false, summary: 'no such route' },
  METHOD_NOT_ALLOWED: { status: 405, retryable: false, summary: 'method not allowed on this route' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, summary: 'the body is larger than the limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, summary: 'the content type is not supported' },
  WRONG_FUNCTION: { status: 422, retryable: false, summary: 'this function does not handle that event type' },
  // specs
  SPEC_INVALID: { status: 422, retryable: false, summary: 'the spec is not valid' },
  SPEC_TOO_LARGE: { status: 422, retryable: false, summary: 'the spec file is larger than the limit' },
  SPEC_NOT_FOUND: { status: 404, retryable: false, summary: 'the spec file does not exist' },
  SPEC_CONFLICT: { status: 409, retryable: true, summary: 'the spec changed while it was being written' },
  ILLEGAL_TRANSITION: { status: 409, retryable: false, summary: 'that state change is not allowed' },
  SPEC_LOCKED: { status: 409, retryable: true, summary: 'another writer held the spec lock for too long' },
  TASK_NOT_FOUND: { status: 404, retryable: false, summary: 'the spec has no task with that id' },
  // configuration
  CONFIG_INVALID: { status: 500, retryable: false, summary: 'the configuration is not valid' },
  // event bus
  BUS_UNAVAILABLE: { status: 503, retryable: true, summary: 'the event bus could not be reached' },
  BUS_CLOSED: { status: 503, retryable: false, summary: 'the event bus is closed' },
  // database
  DB_ERROR: { status: 500, retryable: false, summary: 'a database statement failed' },
  DB_UNAVAILABLE: { status: 503, retryable: true, summary: 'the database could not be reached' },
  DB_MIGRATION_FAILED: { status: 500, retryable: false, summary: 'a database migration failed' },
  DB_PGVECTOR_MISSING: { status: 500, retryable: false, summary: 'the pgvector extension is not installed on the Postgres server' },
  // delivery to functions over HTTP (the bridge)
  INVOKE_FAILED: { status: 502, retryable: true, summary: 'the function could not be reached or failed' },
  INVOKE_REJECTED: { status: 502, retryable: false, summary: 'the function refused the event' },
  // git plumbing (shared/git)
  GIT_FAILED: { status: 500, retryable: false, summary: 'a git command failed' },
  GIT_REFUSED: { status: 500, retryable: false, summary: 'the git runner refused a command nightshift never runs (push, fetch, remote ...)' },
  GIT_BAD_NAME: { status: 422, retryable: false, summary: 'a branch, ref or workspace name is not allowed' },
  WORKSPACE_INVALID: { status: 500, retryable: false, summary: 'the workspace root or workspace is not usable' },
  DIFF_REJECTED: { status: 422, retryable: false, summary: 'the changes touch what no diff may touch (.git, a symlink out of the workspace, a nested repository)' },
  BRANCH_CHECKED_OUT: { status: 409, retryable: false, summary: 'the integration branch is checked out in a worktree, so nightshift will not move it' },
  // executors and checks (shared/exec)
  EXEC_SPAWN_FAILED: { status: 500, retryable: false, summary: 'the agent or check program could not be started' },
  SANDBOX_UNAVAILABLE: { status: 500, retryable: false, summary: 'the requested sandbox is not installed on this machine' },
  // the review gate (shared/review)
  DIFF_INVALID: { status: 422, retryable: false, summary: 'the diff is not a git unified diff the review gate can read' },
  // embeddings endpoint (learn-from-failure)
  EMBEDDINGS_FAILED: { status: 502, retryable: true, summary: 'the embeddings endpoint could not be reached, timed out or failed' },
  EMBEDDINGS_INVALID: { status: 502, retryable: false, summary: 'the embeddings endpoint refused the request or answered something unusable' },
  // anything else
  NOT_READY: { status: 503, retryable: true, summary: 'the function is not ready yet' },
  INTERNAL: { status: 500, retryable: true, summary: 'internal error' },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorOptions {
  cause?: unknown;
  /** Structured detail for the JSON error body (for example a list of spec problems). */
  details?: unknown;
  /** Overrides the code's default retry decision. */
  retryable?: boolean;
}

export class NightshiftError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NightshiftError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = options.details;
  }

  /** The JSON body a host answers with. */
  toJSON(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    const body: { code: ErrorCode; message: string; details?: unknown } = { code: this.code, message: this.message };
    if (this.details !== undefined) body.details = this.details;
    return { error: body };
  }
}

/** Wraps anything thrown into a NightshiftError (unknown errors become INTERNAL). */
export function asNightshiftError(err: unknown): NightshiftError {
  if (err instanceof NightshiftError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NightshiftError('INTERNAL', message, { cause: err });
}
