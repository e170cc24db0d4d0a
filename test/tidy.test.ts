import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Goal: the house rules of DESIGN §2 hold in every file, as a test (TigerBeetle's tidy).
// Method: scan the sources; core imports nothing of the project; providers, signals and
// engines import only core; only adapters, datasets and cli do I/O; pure folders use no wall
// time, randomness or host timers. A line may opt out with a `tidy-ok:` comment giving why.
// And STYLE J: files stay under 300 lines (a shrinking list of exemptions, each with its
// reason) and functions within 70 lines.

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

/** Every source folder of the project (tests and generated modules aside). */
const SOURCE_FOLDERS = ['core', 'providers', 'signals', 'engines', 'adapters', 'datasets', 'cli', 'reports'];
const FILE_LINES_MAX = 300;
const FUNCTION_LINES_MAX = 70;
/**
 * Files allowed over FILE_LINES_MAX, and why. The list only shrinks: an entry whose file is
 * back under the limit fails the test until it is removed.
 */
const LONG_FILES: Record<string, string> = {
  'core/runtime.ts': 'one class: the delivery loop, timers, digest and snapshots share its private state (wiring is in runtime-wiring.ts)',
};

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

  it(`files stay within ${FILE_LINES_MAX} lines, but for the listed exemptions, and the list only shrinks`, () => {
    const problems: string[] = [];
    for (const folder of SOURCE_FOLDERS) {
      for (const file of sources(join(ROOT, folder))) {
        if (file.endsWith('.wasm.ts')) continue;
        const name = relative(ROOT, file);
        const lines = lineCount(readFileSync(file, 'utf8'));
        const exempt = name in LONG_FILES;
        if (lines > FILE_LINES_MAX && !exempt) problems.push(`${name}: ${lines} lines`);
        if (lines <= FILE_LINES_MAX && exempt) problems.push(`${name}: ${lines} lines now, remove it from LONG_FILES`);
      }
    }
    for (const name of Object.keys(LONG_FILES)) {
      if (!SOURCE_FOLDERS.some((f) => name.startsWith(`${f}/`))) problems.push(`${name}: listed in LONG_FILES, not a source file`);
    }
    expect(problems).toEqual([]);
  });

  it(`functions stay within ${FUNCTION_LINES_MAX} lines`, () => {
    const problems: string[] = [];
    for (const folder of SOURCE_FOLDERS) {
      for (const file of sources(join(ROOT, folder))) {
        for (const f of longFunctions(file, readFileSync(file, 'utf8'))) problems.push(`${relative(ROOT, file)}:${f}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the scanner itself catches a violation', () => {
    expect(importsOf("import { x } from '../adapters/replay.ts';")).toEqual(['../adapters/replay.ts']);
    expect(BANNED.some((re) => re.test('const t = Date.now();'))).toBe(true);
    expect(IO_MODULES.test('node:fs')).toBe(true);
    expect(lineCount('a\nb\n')).toBe(2);
    const long = `function f() {\n${'  x++;\n'.repeat(FUNCTION_LINES_MAX)}}\nconst g = () => 1;\n`;
    expect(longFunctions('x.ts', long)).toEqual([`1 f: ${FUNCTION_LINES_MAX + 2} lines`]);
  });
});

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/** Returns `line name: n lines` for every function body longer than FUNCTION_LINES_MAX lines. */
function longFunctions(path: string, text: string): string[] {
  const src = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const last = src.getLineAndCharacterOfPosition(node.end).line;
      const n = last - first + 1;
      const name = node.name !== undefined ? node.name.getText(src) : '(anonymous)';
      if (n > FUNCTION_LINES_MAX) out.push(`${first + 1} ${name}: ${n} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}
