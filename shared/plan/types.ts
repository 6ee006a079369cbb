/**
 * The shapes a markdown plan passes through on its way to a spec: the
 * warnings that tell a person what was not understood, and a task as read
 * from the plan before ids and dependencies are resolved.
 */

/** Something in the plan that was not understood or left out, with its 1-based line. */
export interface PlanWarning {
  line: number;
  message: string;
}

/** A reference to another task as written in the plan: `Task 2`, `작업 2` (a number) or `A1` (an id). */
export interface TaskRef {
  /** The text as written, for messages. */
  text: string;
  /** Set for `Task N` references. */
  number?: string;
  /** Set for id references like `A1` (lowercased). */
  id?: string;
  line: number;
  /**
   * True when the reference is surely meant as one: under a dependency label
   * (`Depends on:`, `선행:`) or written `Task N`. An unknown strict reference
   * is a warning; an unknown bare word in free text ("after S3 ...") is prose.
   */
  strict: boolean;
}

/** A task section of the plan, read but not yet resolved against the others. */
export interface PlanTask {
  /** The task id for the spec (lowercase, schema-valid, unique in the plan). */
  id: string;
  /** `Task 3` -> '3'; undefined for `A1 | title` headings. */
  number?: string;
  /** The id as written in an `A1 | title` heading, lowercased. */
  givenId?: string;
  title: string;
  /** 1-based line of the task's heading. */
  line: number;
  /** The steps and other text of the section, the agent's prompt. */
  description: string;
  acceptance: string[];
  files: string[];
  refs: TaskRef[];
  /**
   * True when the task has a dependency label (`Depends on:`, `선행:`), even
   * one that says "none": it then gets exactly what it names (plus file order),
   * not the order implied by its stream or phase.
   */
  declaresDeps: boolean;
  /** Index of the phase heading the task sits under, if any. */
  phase?: number;
  /** Index of the stream heading the task sits under, if any (unique across phases). */
  stream?: number;
}

/** A plan as read from markdown: title, context and tasks, plus what was not understood. */
export interface Plan {
  title: string;
  /** The goal and other context before and between the tasks. */
  description: string;
  tasks: PlanTask[];
  warnings: PlanWarning[];
}
