/**
 * Bundles each function's entry point into one self-contained ESM file,
 * `dist/<name>/index.mjs`, that runs with `node index.mjs` and no
 * node_modules: what each function image ships (DESIGN.md section 7). The
 * bridge (cli/bridge-main.ts) gets the same treatment as `dist/bridge/index.mjs`
 * for its image and the migrations Job (deploy/Dockerfile).
 *
 * Usage: `npm run build` (or `tsx scripts/build.ts [outDir]`).
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions as BuildOptionsOfEsbuild } from 'esbuild';
import { FUNCTION_NAMES, type FunctionName } from '../shared/events/catalog.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * esbuild settings every bundle shares (tests bundle fixtures with them too).
 * CommonJS dependencies (pino, cloudevents and theirs) call `require` for node
 * built-ins; an ESM bundle has no `require`, so the banner makes one from the
 * bundle's own URL.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "import { createRequire as __nightshiftCreateRequire } from 'node:module';\nconst require = __nightshiftCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptionsOfEsbuild;

export interface BuildOptions {
  /** Where `<name>/index.mjs` go. @default "<repo>/dist" */
  outDir?: string;
  /** Which functions to bundle. @default all five */
  functions?: readonly FunctionName[];
  /** @default false (readable stack traces matter more than a few hundred KiB) */
  minify?: boolean;
  /** Write `index.mjs.map` beside each bundle. @default false */
  sourcemap?: boolean;
}

/** The bridge bundle's name: `dist/bridge/index.mjs`. */
export const BRIDGE_BUNDLE = 'bridge';

export interface BuiltBundle {
  name: FunctionName | typeof BRIDGE_BUNDLE;
  /** Absolute path of the bundle. */
  file: string;
  bytes: number;
}

async function bundle(name: BuiltBundle['name'], entry: string, options: BuildOptions): Promise<BuiltBundle> {
  const file = join(resolve(options.outDir ?? join(ROOT, 'dist')), name, 'index.mjs');
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile: file,
    ...BUNDLE_OPTIONS,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    absWorkingDir: ROOT,
  });
  return { name, file, bytes: (await stat(file)).size };
}

/** Bundles the functions with esbuild; one single file each, nothing external. */
export async function buildFunctions(options: BuildOptions = {}): Promise<BuiltBundle[]> {
  const bundles: BuiltBundle[] = [];
  for (const name of options.functions ?? FUNCTION_NAMES) {
    bundles.push(await bundle(name, join('functions', name, 'index.ts'), options));
  }
  return bundles;
}

/** Bundles the bridge (`node index.mjs` runs it, `node index.mjs migrate` migrates); `functions` is ignored. */
export function buildBridge(options: BuildOptions = {}): Promise<BuiltBundle> {
  return bundle(BRIDGE_BUNDLE, join('cli', 'bridge-main.ts'), options);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bundles = [...(await buildFunctions({ outDir: process.argv[2] })), await buildBridge({ outDir: process.argv[2] })];
  for (const b of bundles) console.log(`${b.name.padEnd(20)} ${formatSize(b.bytes).padStart(10)}  ${b.file}`);
}
