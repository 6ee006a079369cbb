/** Shared bits for the spec loader tests. */
import { expect } from 'vitest';
import { parseSpecText } from '../../../shared/spec/loader.ts';
import { SpecInvalidError } from '../../../shared/spec/problems.ts';

/** A valid spec: 2 tasks, b depends on a. Line numbers below are stable. */
export const VALID = `id: demo
title: Demo
repo:
  path: ../..
tasks:
  - id: a
    title: A
    files: [src/a.ts]
  - id: b
    title: B
    dependsOn: [a]
`;

/** Parses text that must be rejected and returns the error. */
export function rejected(text: string, file = 'specs/active/x.yaml'): SpecInvalidError {
  try {
    parseSpecText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecInvalidError);
    return err as SpecInvalidError;
  }
  throw new Error(`expected ${file} to be rejected, but it was accepted`);
}
