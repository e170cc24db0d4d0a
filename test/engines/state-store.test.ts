import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonical } from '../../core/canonical.ts';
import { decodeStateText, encodeStateText, loadState, saveState, stateChecksum } from '../../adapters/state-store.ts';

// Goal: the state file round-trips exactly (NaN, Infinity and -0 included), keeps the previous
// good file as .bak, and load falls back current → backup → fresh with one problem line per file
// skipped: missing, truncated, bad JSON, bad header, checksum mismatch, unreadable.
// Method: real files in a temp directory; an exhaustive single-bit-flip sweep over a small file.

let dir = '';
let path = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-state-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const A = { n: 1, x: [NaN, Infinity, -Infinity, -0, 0.1], nested: { s: 'NaN', b: true, z: null } };
const B = { n: 2 };

describe('engines > state store', () => {
  it('round-trips a state exactly, with its checksum and data-time stamp', () => {
    const { checksum } = saveState(path, A, 1_700_000_000_000_000);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc).toMatchObject({ version: 1, checksum, savedAt_us: 1_700_000_000_000_000 });
    expect(checksum).toBe(stateChecksum(A, 1_700_000_000_000_000));
    const r = loadState(path);
    expect(r).toMatchObject({ source: 'current', savedAt_us: 1_700_000_000_000_000, problems: [] });
    expect(canonical(r.state)).toBe(canonical(A));
    expect(Object.is((r.state as typeof A).x[3], -0)).toBe(true);
    expect((r.state as typeof A).nested.s).toBe('NaN');
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('keeps the previous file as .bak and reads current first', () => {
    saveState(path, A, 1);
    expect(existsSync(`${path}.bak`)).toBe(false);
    saveState(path, B, 2);
    expect(loadState(path)).toMatchObject({ state: B, source: 'current', savedAt_us: 2 });
    expect(decodeStateText(readFileSync(`${path}.bak`, 'utf8'))).toMatchObject({ ok: true, savedAt_us: 1 });
    saveState(path, { n: 3 }, 3);
    expect(decodeStateText(readFileSync(`${path}.bak`, 'utf8'))).toMatchObject({ ok: true, state: B });
  });

  it('falls back to the backup on a truncated, malformed, re-headed or bit-flipped current file', () => {
    saveState(path, A, 1);
    saveState(path, B, 2);
    const good = readFileSync(path, 'utf8');
    const cases: Array<[string, string]> = [
      [good.slice(0, 30), 'state.json: truncated (30 chars, no final newline)'],
      [good.replace('{"version"', '["version"'), 'state.json: bad JSON'],
      [good.replace('"version":1', '"version":2'), 'state.json: bad header (version: Invalid input: expected 1)'],
      [good.replace('"n":2', '"n":3'), 'state.json: checksum mismatch'],
      [good.replace('"savedAt_us":2', '"savedAt_us":3'), 'state.json: checksum mismatch'],
    ];
    for (const [text, problem] of cases) {
      writeFileSync(path, text);
      const r = loadState(path);
      expect(r.source, problem).toBe('backup');
      expect(r.savedAt_us).toBe(1);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0].startsWith(problem), `${r.problems[0]} starts with ${problem}`).toBe(true);
    }
  });

  it('starts fresh when both files are broken or missing, saying why for each', () => {
    expect(loadState(path)).toEqual({ state: null, source: 'fresh', savedAt_us: null, problems: ['state.json: missing', 'state.json.bak: missing'] });
    saveState(path, A, 1);
    saveState(path, B, 2);
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, -1));
    writeFileSync(`${path}.bak`, readFileSync(`${path}.bak`, 'utf8').replace('"n":1', '"n":7'));
    expect(loadState(path)).toEqual({
      state: null, source: 'fresh', savedAt_us: null,
      problems: [`state.json: truncated (${readFileSync(path, 'utf8').length} chars, no final newline)`, 'state.json.bak: checksum mismatch'],
    });
    rmSync(path);
    mkdirSync(path);
    expect(loadState(path).problems[0]).toBe('state.json: unreadable (EISDIR)');
  });

  it('never lets a damaged current file push a good backup out', () => {
    saveState(path, A, 1);
    saveState(path, B, 2);
    writeFileSync(path, 'garbage');
    saveState(path, { n: 3 }, 3);
    expect(decodeStateText(readFileSync(`${path}.bak`, 'utf8'))).toMatchObject({ ok: true, savedAt_us: 1 });
    expect(loadState(path)).toMatchObject({ state: { n: 3 }, source: 'current' });
  });

  it('catches every single-bit flip of a file, or the flip leaves the decoded document identical', () => {
    const text = encodeStateText({ id: 'ald', equity: 99_876.5, ids: { ab12: 17 }, atr: NaN, neg: -0, list: [1, 'x', null] }, 1_736_930_000_000_000);
    const base = decodeStateText(text);
    expect(base.ok).toBe(true);
    const bytes = Buffer.from(text, 'utf8');
    let undetected = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[i] ^= 1 << bit;
        const r = decodeStateText(flipped.toString('utf8'));
        if (!r.ok) continue;
        undetected++;
        // Only a spelling JSON treats as equal may pass (e.g. 'e' vs 'E' in an exponent); none exists here.
        expect(canonical({ s: r.state, t: r.savedAt_us })).toBe(canonical({ s: (base as { state: unknown }).state, t: 1_736_930_000_000_000 }));
      }
    }
    expect(undetected).toBe(0);
  });
});
