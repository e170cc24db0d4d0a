import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Out, QxEvent } from '../core/event.ts';
import type { Runtime } from '../core/runtime.ts';
import { loadState, saveState } from '../adapters/state-store.ts';
import { ENGINE_IDS, TAPE_SUFFIX } from '../engines/registry.ts';
import { restoreEngineState, shutdown, type EngineState } from '../engines/engine.ts';
import type { EngineParams } from '../engines/params.ts';

// Engine state persistence for a run (DESIGN §7, seed "State Recovery"): at start each engine
// loads `<dir>/<engine>.json` (current → .bak → fresh) and validates its cooldowns against the
// clock; during the run its state is saved after every step in which it accepted a signal,
// sent a command or closed a trade; at the end it is saved in SHUTDOWN.

const CHANGE = /^(execution-commands|trades|validation)-([a-z0-9]+(?:-tape)?)(?:-[a-z0-9]+)?$/;

export class EngineStates {
  private readonly dirty = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly engines: readonly string[],
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Returns the ids that are engines or their tape twins. */
  static enginesOf(ids: readonly string[]): string[] {
    return ids.filter((id) => (ENGINE_IDS as readonly string[]).includes(id.endsWith(TAPE_SUFFIX) ? id.slice(0, -TAPE_SUFFIX.length) : id));
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Restores every engine from its files; returns one log line per engine. */
  restore(rt: Runtime, nowUs: number, params: Record<string, unknown>, symbol: string): string[] {
    return this.engines.map((id) => {
      const loaded = loadState(this.path(id));
      const r = restoreEngineState(loaded.state, nowUs, params[id] as EngineParams, { id, symbol });
      if (r.state !== null) rt.replaceState(id, r.state);
      const from = r.state === null ? 'fresh start' : `state from ${loaded.source} file`;
      const why = [...loaded.problems.filter((p) => !p.endsWith(': missing') || loaded.source !== 'fresh'), ...r.notes];
      return `engine ${id}: ${from}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
    });
  }

  /** Notes an emitted event; an engine's accepted signal, command or trade marks it for saving. */
  note(ev: QxEvent<Out>): void {
    const m = CHANGE.exec(ev.topic);
    if (m === null || !this.engines.includes(m[2])) return;
    if (m[1] === 'validation' && (ev.payload.payload as { accepted?: boolean }).accepted !== true) return;
    this.dirty.add(m[2]);
  }

  /** Saves the engines marked since the last call (after a whole input step). */
  flush(rt: Runtime): void {
    if (this.dirty.size === 0) return;
    for (const id of [...this.dirty].sort()) saveState(this.path(id), rt.stateOf(id), rt.now);
    this.dirty.clear();
  }

  /** Saves every engine stopped gracefully (SHUTDOWN). */
  shutdown(rt: Runtime): void {
    for (const id of this.engines) {
      const s = rt.stateOf(id) as EngineState;
      saveState(this.path(id), s.status === 'SHUTDOWN' || s.status === 'EVALUATING' ? s : shutdown(s), rt.now);
    }
  }
}
