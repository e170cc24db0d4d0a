import { describe, expect, it } from 'vitest';
import { ENGINE_CONFIGS, ENGINE_IDS, EngineParams, configById, engineById } from '../../engines/registry.ts';
import { MIN, T0, engineRun, scenario } from '../support/stubs-engines.ts';

// Goal: the six engines exist with the seed's ids, read their own signal kinds (plus Phase Timing
// and the Kalman trend for cpbc and flip), publish on their own topics, share one fully defaulted
// strict parameter schema, and each trades its own signal end to end.
// Method: inspect the registry, parse params, and run each engine on stubs.

const MARKET = ['data-volatility-state', 'data-garch-volatility-forecast-5min', 'data-vpin-zscore', 'data-spread', 'data-liquidity-vacuum'];

describe('engines > registry', () => {
  it('lists six engines with their inputs and outputs', () => {
    expect(ENGINE_IDS).toEqual(['ald', 'cpbc', 'flip', 'vstr', 'lvl', 'vsw']);
    const primary = Object.fromEntries(ENGINE_IDS.map((id) => [id, ENGINE_CONFIGS[id].signals]));
    expect(primary).toEqual({
      ald: ['signal-uso-ald'], cpbc: ['signal-cse-compressionbreakout'], flip: ['signal-cse-flowinflections'],
      vstr: ['signal-cse-volatilitystress'], lvl: ['signal-uso-levelplays'], vsw: ['signal-uso-voidswept'],
    });
    for (const id of ENGINE_IDS) {
      const e = engineById(id);
      expect(e).toMatchObject({ id, layer: 'engine' });
      expect(e.outputs).toEqual([`execution-commands-${id}`, `validation-${id}`, `trades-${id}`, `equity-${id}`]);
      expect(e.inputs).toEqual(expect.arrayContaining([...ENGINE_CONFIGS[id].signals, 'kline-1m', 'raw-trades', ...MARKET]));
      const timed = id === 'cpbc' || id === 'flip';
      expect(e.inputs.includes('signal-cse-phasetiming')).toBe(timed);
      expect(e.inputs.includes('data-kalman')).toBe(timed);
    }
    expect(() => configById('nope')).toThrow("engine id must be one of ald, cpbc, flip, vstr, lvl, vsw, was 'nope'");
  });

  it('defaults every parameter (RR 2.0, 1 bp slip, 10 bps taker, 0.5 % risk, 100 000 USDT) and rejects unknown keys', () => {
    const p = EngineParams.parse({});
    expect(p).toMatchObject({
      equity0_usdt: 100_000, risk_frac: 0.005, rr: 2, slip_bps: 1, fee_taker_bps: 10, tp_fee: 'taker', qty_step: 0.00001,
      stop_mode: 'atr', atr_mult: { LOW: 1, MEDIUM: 1.5, HIGH: 2 }, sigma_mult: { LOW: 1.5, MEDIUM: 2, HIGH: 2.5 },
      d_sl_min_bps: 5, d_sl_cost_mult: 4, d_sl_max_bps: 150, time_stop_bars: 240, entry_cancel_delay_bars: 2,
      fill_mode: 'bar', session_mode: 'local', cooldown_min: 15, global_spacing_min: null, score_min: 0.6,
      components_min: 2, component_level: 0.5, confirm_window_bars: 30, dedup_keep_h: 24,
      stress: { vpin_z_max: 3, vol_ann_pct_min: 15, vol_ann_pct_max: 120, require_vol_state: true, spread_z_max: 3, s1btc_bps_max: 2, vacuum_window_s: 30 },
    });
    expect(p.stress_overrides['cse-volatilitystress']).toEqual({ vpin_z_max: null, vacuum_window_s: null, vol_ann_pct_max: 150 });
    expect(EngineParams.parse({ stress: { vpin_z_max: 2 } }).stress).toMatchObject({ vpin_z_max: 2, spread_z_max: 3 });
    expect(() => EngineParams.parse({ rr: 2, typo: 1 })).toThrow();
    expect(() => EngineParams.parse({ stress: { vpin: 2 } })).toThrow();
  });

  it('each engine trades its own signal from signal to closed trade', () => {
    for (const id of ENGINE_IDS) {
      const kind = ENGINE_CONFIGS[id].signals[0];
      const confirmers = Object.fromEntries(ENGINE_CONFIGS[id].confirmers.map((k) => [k, []]));
      const signals = { [kind]: [{ t: T0 + 20 * MIN, direction: 1 as const }], ...confirmers };
      const r = engineRun({ id, signals, market: () => ({ kalman_trend: 'UP' }) });
      r.feed(scenario(30, { 23: { h: 51_000 } }));
      expect(r.on('validation')).toMatchObject([{ accepted: true, generator: kind.slice('signal-'.length) }]);
      expect(r.on('trades')).toMatchObject([{ exit_reason: 'TP', r_gross: 2 }]);
      expect(r.on('execution-commands').map((c) => c.engine)).toEqual([id, id]);
    }
  });
});
