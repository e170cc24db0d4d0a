import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical, canonicalEmit, digestAdd, digestHex, digestInit } from '../../core/canonical.ts';
import type { Out, QxEvent } from '../../core/event.ts';

// The canonical encoding the run digest hashes (DESIGN §5): worked cases, the emit encoder
// against the general one on arbitrary records, and the digest chain against its definition.

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('canonical', () => {
  it('sorts keys at every level and writes special numbers as the contract says', () => {
    expect(canonical({ b: 1, a: { d: [1, -0, NaN], c: Infinity }, e: undefined, f: null })).toBe(
      '{"a":{"c":"Infinity","d":[1,-0,"NaN"]},"b":1,"f":null}',
    );
    expect(canonical(new Float64Array([0.1, -Infinity]))).toBe('[0.1,"-Infinity"]');
    expect(canonical([undefined, 'x"y', true])).toBe('[null,"x\\"y",true]');
    expect(canonical({ Z: 1, a: 2, _: 3 })).toBe('{"Z":1,"_":3,"a":2}');
  });

  it('encodes an emitted event exactly as the general encoder does', () => {
    const num = fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 5e-324), fc.integer());
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, num, fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined),
        fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 5 })),
    })).v;
    const record = fc.record({
      type: fc.string(), v: fc.constant(1 as const), symbol: fc.string(), provider: fc.string(), seq: fc.nat(), ts: num,
      window: fc.option(fc.record({ start_us: num, end_us: num })), warm: fc.boolean(), degraded: fc.boolean(),
      flags: fc.array(fc.string(), { maxLength: 3 }), payload: fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 8 }),
    });
    fc.assert(fc.property(record, fc.string(), num, num, fc.nat(), fc.string(), (r, topic, ts, recvTs, seq, key) => {
      const ev: QxEvent<Out> = { topic, ts, recvTs, key, seq, payload: r as Out };
      expect(canonicalEmit(ev)).toBe(canonical(ev));
    }), { numRuns: 500 });
  });

  it('chains SHA-256 over 64 Ki-character chunks of the records, each line ended by a newline', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => canonical({ i, x: i / 7, s: 'q'.repeat(i % 50) }));
    const d = digestInit();
    for (const l of lines) digestAdd(d, l);
    let head = '';
    let pending = '';
    for (const l of lines) {
      pending += l + '\n';
      if (pending.length >= 1 << 16) {
        head = sha(head + pending);
        pending = '';
      }
    }
    expect(head).not.toBe('');
    expect(digestHex(d)).toBe(sha(head + pending));
    expect(digestHex(digestInit())).toBe(sha(''));
  });
});
