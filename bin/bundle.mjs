// The CLI as one JavaScript module (dist/qx.mjs), bundled from the TypeScript sources by esbuild
// on first use and again whenever a source file (or this file) is newer. Through the tsx loader,
// every start transpiles and resolves each module anew (`qx --help` took ~0.75 s); the bundle
// starts in ~0.3 s. Packages stay outside the bundle and load from node_modules as usual. The
// bundle lives one folder below the root, as cli/ does, so `new URL('..', import.meta.url)` is
// the root in both. Two processes (or threads) building at once each write their own file and
// rename it into place.

import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'dist', 'qx.mjs');
/** The folders whose TypeScript the CLI is made of. */
export const SOURCES = ['cli', 'core', 'providers', 'signals', 'engines', 'adapters', 'datasets', 'reports'];

/** Returns the newest modification time of the sources and of this file (the build's options), ms. */
export function newestSource() {
  let newest = statSync(new URL(import.meta.url).pathname).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const folder of SOURCES) walk(join(ROOT, folder));
  return newest;
}

/** Returns the bundle's URL, building it when missing or stale; null when it cannot be built. */
export async function cliBundle() {
  try {
    const built = statSync(OUT, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (built >= newestSource()) return pathToFileURL(OUT).href;
    const { buildSync } = await import('esbuild');
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    const tmp = `${OUT}.${process.pid}.${threadId}.tmp`;
    try {
      buildSync({
        entryPoints: [join(ROOT, 'cli', 'main.ts')], outfile: tmp, bundle: true, platform: 'node', format: 'esm',
        target: 'node20', packages: 'external', logLevel: 'silent',
      });
      renameSync(tmp, OUT);
    } finally {
      rmSync(tmp, { force: true });
    }
    return pathToFileURL(OUT).href;
  } catch {
    return null;
  }
}
