import type { Out, QxEvent } from '../core/event.ts';
import { US_PER_DAY } from '../core/time.ts';
import { cagr, calmar, dailyReturns, maxDrawdown, sharpe, sortino, tradeStats, type EquityPoint, type TradeRecord } from './metrics.ts';

// Collects each engine's trades, equity marks and verdicts from the emitted events of a run
// and turns them into the results of SPEC §18, one row per engine.

export interface EngineResult {
  engine: string;
  trades: number;
  win_rate: number | null;
  profit_factor: number | null;
  net_pnl_usdt: number;
  max_drawdown: number;
  max_drawdown_bars: number;
  sharpe: number | null;
  sortino: number | null;
  exposure: number | null;
  avg_r: number | null;
  expectancy_usdt: number | null;
  cagr: number | null;
  calmar: number | null;
  equity_start_usdt: number | null;
  equity_end_usdt: number | null;
  signals: number;
  accepted: number;
  rejected_by_gate: Record<string, number>;
}

interface EngineLog {
  trades: TradeRecord[];
  equity: EquityPoint[];
  barsInPosition: number;
  signals: number;
  accepted: number;
  rejected: Record<string, number>;
}

/** Topic families of an engine's results; the id may carry the tape twin's suffix (`ald-tape`). */
const FAMILY = /^(trades|equity|validation)-([a-z0-9]+(?:-tape)?)-[a-z0-9]+$/;

/** Where a topic's events go: its engine's log and the topic's family; null for other topics. */
interface Route {
  family: string;
  log: EngineLog;
}

export class ResultsCollector {
  private readonly logs = new Map<string, EngineLog>();
  /** Routes by topic, found once per topic rather than matched per event (a run emits ~10^5-10^6). */
  private readonly routes = new Map<string, Route | null>();

  constructor(engines: readonly string[]) {
    for (const id of engines) this.logs.set(id, { trades: [], equity: [], barsInPosition: 0, signals: 0, accepted: 0, rejected: {} });
  }

  /** Takes one emitted event; ignores topics that are not an engine's trades, equity or verdicts. */
  add(ev: QxEvent<Out>): void {
    let route = this.routes.get(ev.topic);
    if (route === undefined) {
      const m = FAMILY.exec(ev.topic);
      const log = m === null ? undefined : this.logs.get(m[2]);
      route = m === null || log === undefined ? null : { family: m[1], log };
      this.routes.set(ev.topic, route);
    }
    if (route === null) return;
    const log = route.log;
    const p = ev.payload.payload as Record<string, unknown>;
    if (route.family === 'trades') {
      log.trades.push({ pnl: p.pnl_usdt as number, r_net: p.r_net as number, bars_held: p.bars_held as number });
    } else if (route.family === 'equity') {
      log.equity.push({ ts_us: ev.ts, equity: p.equity_usdt as number });
      if (p.in_position === true) log.barsInPosition++;
    } else {
      log.signals++;
      if (p.accepted === true) log.accepted++;
      else {
        const gate = String(p.gate);
        log.rejected[gate] = (log.rejected[gate] ?? 0) + 1;
      }
    }
  }

  /** Returns one result row per engine, in the order given to the constructor. */
  results(): EngineResult[] {
    return [...this.logs.entries()].map(([engine, log]) => summarize(engine, log));
  }
}

function summarize(engine: string, log: EngineLog): EngineResult {
  const stats = tradeStats(log.trades, log.equity.length, log.barsInPosition);
  const curve = log.equity.map((e) => e.equity);
  const dd = maxDrawdown(curve);
  const r = dailyReturns(log.equity);
  const start = curve.length > 0 ? curve[0] : null;
  const end = curve.length > 0 ? curve[curve.length - 1] : null;
  const days = log.equity.length > 1 ? (log.equity[log.equity.length - 1].ts_us - log.equity[0].ts_us) / US_PER_DAY : 0;
  const growth = start !== null && end !== null && days > 0 ? cagr(start, end, days) : null;
  return {
    engine,
    trades: stats.trades,
    win_rate: stats.win_rate,
    profit_factor: stats.profit_factor,
    net_pnl_usdt: stats.net_pnl,
    max_drawdown: dd.mdd,
    max_drawdown_bars: dd.durationBars,
    sharpe: r.length >= 2 ? sharpe(r) : null,
    sortino: r.length >= 1 ? sortino(r) : null,
    exposure: stats.exposure,
    avg_r: stats.avg_r,
    expectancy_usdt: stats.expectancy_usdt,
    cagr: growth,
    calmar: growth === null ? null : calmar(growth, dd.mdd),
    equity_start_usdt: start,
    equity_end_usdt: end,
    signals: log.signals,
    accepted: log.accepted,
    rejected_by_gate: Object.fromEntries(Object.entries(log.rejected).sort(([a], [b]) => a.localeCompare(b))),
  };
}
