import { z } from 'zod';
import type { Component, Ctx } from '../core/component.ts';
import type { Kline, QxEvent } from '../core/event.ts';
import { ringNew, ringPush, type Ring } from '../core/ring.ts';

// SPEC §3, Volume Ratio: VR_k = v_k / mean(v_{k-20..k-1}), relative volume against the
// previous N bars. VOLUME_SPIKE when VR >= 2.0, DRY_UP when VR <= 0.3.

export const VolumeRatioParams = z.strictObject({
  window: z.number().int().min(1).default(20),
  spike: z.number().positive().default(2.0),
  dryUp: z.number().positive().default(0.3),
});
export type VolumeRatioParams = z.infer<typeof VolumeRatioParams>;

interface State {
  volumes: Ring;
  /** Running sum of the ring, recomputed from the ring at each bar to keep a fixed summation order. */
  lastT: number;
}

export const volumeRatio: Component<VolumeRatioParams, State> = {
  id: 'volume-ratio',
  layer: 'provider',
  inputs: ['kline-1m'],
  outputs: ['data-volume-ratio'],
  params: VolumeRatioParams,
  init: (p) => ({ volumes: ringNew(p.window), lastT: -Infinity }),
  reduce(s: State, ev: QxEvent, ctx: Ctx<VolumeRatioParams>) {
    const k = ev.payload as Kline;
    const p = ctx.params;
    const warm = s.volumes.size === s.volumes.cap;
    let baseline = NaN;
    if (warm) {
      let sum = 0;
      for (let i = 0; i < s.volumes.cap; i++) sum += s.volumes.buf[(s.volumes.head + i) % s.volumes.cap];
      baseline = sum / s.volumes.cap;
    }
    const vr = warm && baseline > 0 ? k.v / baseline : null;
    const event = vr === null ? null : vr >= p.spike ? 'VOLUME_SPIKE' : vr <= p.dryUp ? 'DRY_UP' : null;
    ringPush(s.volumes, k.v);
    s.lastT = k.t;
    if (!warm) return;
    ctx.emit('data-volume-ratio', 'VOLUME_RATIO', {
      bar_open_us: k.t,
      volume_btc: k.v,
      baseline_btc: baseline,
      vr,
      mode: 'rolling',
      event,
    }, { window: { start_us: k.t, end_us: ev.ts } });
  },
};
