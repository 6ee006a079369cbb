#!/usr/bin/env node
// Runs the TypeScript CLI from the checkout (`npx nightshift ...`) through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
