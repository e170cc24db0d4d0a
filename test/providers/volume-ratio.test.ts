import { describe, expect, it } from 'vitest';
import { volumeRatio } from '../../providers/volume-ratio.ts';
import { bar, harness } from '../support/harness.ts';

// Goal: VR equals v / mean of the previous 20 volumes (SPEC §3), with its events and edges.
// Method: feed hand-built klines and compare with the closed form computed in the test.

const T0 = Date.UTC(2024, 0, 1) * 1000;

describe('providers > volume-ratio', () => {
  it('is silent during warm-up and then matches v / mean(previous 20)', () => {
    const h = harness([volumeRatio]);
    const vols = Array.from({ length: 30 }, (_, i) => 1 + ((i * 7) % 5));
    vols.forEach((v, i) => h.kline(bar(T0, i, { v })));
    const out = h.on('data-volume-ratio');
    expect(out).toHaveLength(10);
    for (let k = 20; k < 30; k++) {
      const prev = vols.slice(k - 20, k);
      const mean = prev.reduce((a, b) => a + b, 0) / 20;
      expect(out[k - 20].payload.vr).toBeCloseTo(vols[k] / mean, 12);
      expect(out[k - 20].payload.bar_open_us).toBe(T0 + k * 60_000_000);
    }
  });

  it('flags a spike, a dry-up, and gives null on a zero baseline', () => {
    const h = harness([volumeRatio]);
    for (let i = 0; i < 20; i++) h.kline(bar(T0, i, { v: 10 }));
    h.kline(bar(T0, 20, { v: 20 }));
    h.kline(bar(T0, 21, { v: 3 }));
    const [spike, dry] = h.on('data-volume-ratio');
    expect(spike.payload).toMatchObject({ vr: 2, event: 'VOLUME_SPIKE' });
    expect(dry.payload.event).toBe('DRY_UP');
    const z = harness([volumeRatio]);
    for (let i = 0; i < 21; i++) z.kline(bar(T0, i, { v: 0 }));
    expect(z.on('data-volume-ratio')[0].payload.vr).toBeNull();
  });

  it('drops a duplicate kline', () => {
    const h = harness([volumeRatio]);
    for (let i = 0; i < 21; i++) h.kline(bar(T0, i, { v: 1 }));
    h.kline(bar(T0, 20, { v: 1 }));
    expect(h.on('data-volume-ratio')).toHaveLength(1);
    expect(h.rt.counters.duplicates).toBe(1);
  });
});
