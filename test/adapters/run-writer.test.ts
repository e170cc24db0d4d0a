import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RunWriter } from '../../adapters/run-writer.ts';
import type { Out, QxEvent } from '../../core/event.ts';
import { cleanup, tmp } from './events.ts';

// Goal: a run's topic files hold exactly the lines written, in order, whatever their size and
// characters. Method: write lines of many sizes (empty, multi-byte UTF-8 and surrogate pairs, one
// far larger than a chunk) to three topics with a topic filter, then gunzip each file (a series
// of gzip members) and compare with the lines; count the members where chunks must have been cut.

afterAll(cleanup);

const event = (topic: string) => ({ topic }) as QxEvent<Out>;

/** Counts the gzip members of a file: each starts with the magic bytes and the deflate method. */
function members(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(Buffer.from([0x1f, 0x8b, 8])); at >= 0; at = bytes.indexOf(Buffer.from([0x1f, 0x8b, 8]), at + 1)) n++;
  return n;
}

describe('RunWriter', () => {
  it('writes each topic as its lines, in order, across chunks and for any characters', () => {
    const dir = tmp();
    const w = new RunWriter(dir, (topic) => topic !== 'skipped');
    const lines: Record<string, string[]> = { a: [], b: [], c: [] };
    const huge = 'x'.repeat(5_000_000);
    for (let i = 0; i < 30_000; i++) {
      const topic = i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : 'c';
      // Sizes from empty to ~1 KB; multi-byte characters (2, 3 and 4 bytes in UTF-8) in some.
      let text = `{"i":${i},"s":"${'é€😀'.repeat(i % 7)}${'y'.repeat((i * 37) % 1000)}"}`;
      if (i === 12_345) text = huge;
      if (i === 20_000) text = '';
      w.write(event(topic), text);
      w.write(event('skipped'), text);
      lines[topic].push(text);
    }
    expect(w.close()).toEqual({ a: 10_000, b: 10_000, c: 10_000 });
    expect(readdirSync(join(dir, 'topics')).sort()).toEqual(['a.jsonl.gz', 'b.jsonl.gz', 'c.jsonl.gz']);
    for (const topic of ['a', 'b', 'c']) {
      const bytes = readFileSync(join(dir, 'topics', `${topic}.jsonl.gz`));
      expect(gunzipSync(bytes).toString('utf8')).toBe(lines[topic].join('\n') + '\n');
      // ~5.5 MB of text in topic a (the huge line), ~5 MB in b and c: chunks of 1 MB at most,
      // so several gzip members each.
      expect(members(bytes)).toBeGreaterThanOrEqual(4);
    }
  });

  it('writes no file for a topic that got no line, and an empty run closes with no rows', () => {
    const dir = tmp();
    const w = new RunWriter(dir);
    expect(w.close()).toEqual({});
    expect(readdirSync(join(dir, 'topics'))).toEqual([]);
  });
});
