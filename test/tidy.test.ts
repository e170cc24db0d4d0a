import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Goal: the house rules of DESIGN §2 hold in every file, as a test (TigerBeetle's tidy).
// Method: scan the sources; core imports nothing of the project; providers, signals and
// engines import only core; only adapters, datasets and cli do I/O; pure folders use no wall
// time, randomness or host timers. A line may opt out with a `tidy-ok:` comment giving why.

const ROOT = new URL('..', import.meta.url).pathname;
const PURE = ['core', 'providers', 'signals', 'engines'];
const ALLOWED: Record<string, string[]> = {
  core: ['core'],
  providers: ['core'],
  signals: ['core'],
  engines: ['core'],
  reports: ['core', 'reports'],
  adapters: ['core', 'adapters'],
  datasets: ['core', 'adapters', 'datasets'],
};
/** Folders whose files may do I/O. */
const IO_FOLDERS = new Set(['adapters', 'datasets']);
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|worker_threads|readline)$|^kafkajs$|^parquet-wasm$|^apache-arrow$|^parquetjs-lite$/;
const BANNED = [
  /Date\.now\(/, /Math\.random\(/, /new Date\(\s*\)/, /performance\.now\(/, /process\.hrtime/,
  /\bsetTimeout\(/, /\bsetInterval\(/, /\bsetImmediate\(/, /DateTime\.now\(/, /DateTime\.local\(\s*\)/,
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(text: string): string[] {
  const re = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const out: string[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2]);
  return out;
}

describe('tidy', () => {
  const folders = Object.keys(ALLOWED);
  for (const folder of folders) {
    it(`${folder}/ imports only ${ALLOWED[folder].join(', ')} of the project${IO_FOLDERS.has(folder) ? '' : ' and does no I/O'}`, () => {
      const problems: string[] = [];
      for (const file of sources(join(ROOT, folder))) {
        const text = readFileSync(file, 'utf8');
        for (const spec of importsOf(text)) {
          if (spec.startsWith('.')) {
            const target = relative(ROOT, join(file, '..', spec)).split('/')[0];
            if (target !== folder && !ALLOWED[folder].includes(target)) problems.push(`${relative(ROOT, file)} imports ${spec}`);
          } else if (IO_MODULES.test(spec) && !IO_FOLDERS.has(folder)) {
            problems.push(`${relative(ROOT, file)} imports I/O module ${spec}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('pure folders use no wall time, randomness or host timers', () => {
    const problems: string[] = [];
    for (const folder of PURE) {
      for (const file of sources(join(ROOT, folder))) {
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (line.includes('tidy-ok:')) return;
          for (const re of BANNED) if (re.test(line)) problems.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('the scanner itself catches a violation', () => {
    expect(importsOf("import { x } from '../adapters/replay.ts';")).toEqual(['../adapters/replay.ts']);
    expect(BANNED.some((re) => re.test('const t = Date.now();'))).toBe(true);
    expect(IO_MODULES.test('node:fs')).toBe(true);
  });
});
