import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component } from '../core/component.ts';
import type { Out, QxEvent } from '../core/event.ts';
import { Runtime, type RuntimeCounters, type RuntimeSnapshot } from '../core/runtime.ts';
import { isoUs } from '../core/time.ts';
import { ReplaySource, replayStep } from '../adapters/replay.ts';
import { RunWriter } from '../adapters/run-writer.ts';
import { readManifest, type Manifest } from '../adapters/manifest.ts';
import { configHash, effectiveParams, type RunConfig } from './config.ts';
import { versions } from './versions.ts';
import { CONFIGURABLE } from './registry.ts';
import { EngineStates } from './engine-states.ts';

// One backtest: replay a dataset through a runtime of the chosen components, optionally into a
// run directory. Shared by `qx backtest`, `qx verify` and the tests.

export interface RunOptions {
  dataset: string;
  fromUs?: number;
  toUs?: number;
  config: RunConfig;
  components: readonly Component[];
  /** Run directory; written as `<out>.partial` and renamed when complete. */
  out?: string;
  /** Called every `progressEvery` inputs with (events, data time µs, total rows or 0). */
  onProgress?: (events: number, tsUs: number, total: number) => void;
  /** Called with every emitted event (tests, collectors of trades and equity). */
  onEmit?: (ev: QxEvent<Out>) => void;
  /** Called with the partial run directory just before it is completed (extra files). */
  beforeCommit?: (dir: string) => void;
  /** Stop after this many inputs and return a snapshot (tests of resume). */
  stopAfter?: number;
  /** Resume from a snapshot taken by a run with the same options. */
  resume?: RuntimeSnapshot;
  /** Engine state files: restored at start, saved on every change that matters and at the end. */
  stateDir?: string;
  /** One-line messages for people (state recovery). */
  log?: (line: string) => void;
}

export interface RunResult {
  digest: string;
  counters: RuntimeCounters;
  manifest: Manifest;
  fromUs: number;
  toUs: number;
  emittedByTopic: Record<string, number>;
  snapshot?: RuntimeSnapshot;
  outDir?: string;
  runtime: Runtime;
}

const PROGRESS_EVERY = 1 << 16;

/** Runs a backtest to completion (or to `stopAfter`). */
export function runBacktest(o: RunOptions): RunResult {
  if (!existsSync(o.dataset)) throw new Error(`dataset not found: ${o.dataset}`);
  const manifest = readManifest(o.dataset);
  const fromUs = o.fromUs ?? manifest.from_us;
  const toUs = o.toUs ?? manifest.to_us;
  if (toUs <= fromUs) throw new Error(`empty time range: --from ${isoUs(fromUs)} is not before --to ${isoUs(toUs)}`);
  const params = effectiveParams(o.config, o.components, CONFIGURABLE.map((c) => c.id));
  const partial = o.out === undefined ? undefined : `${o.out}.partial`;
  if (partial !== undefined) {
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
  }
  const writer = partial === undefined ? undefined : new RunWriter(partial);
  const emitted: Record<string, number> = {};
  const states = o.stateDir === undefined ? undefined : new EngineStates(o.stateDir, EngineStates.enginesOf(o.components.map((c) => c.id)));
  const rt = new Runtime(o.components.map((c) => ({ component: c, params: params[c.id] })), {
    symbol: manifest.symbol,
    bookMode: o.config.bookMode,
    onEmit: (ev, text) => {
      emitted[ev.topic] = (emitted[ev.topic] ?? 0) + 1;
      writer?.write(ev, text);
      states?.note(ev);
      o.onEmit?.(ev);
    },
  });
  if (o.resume !== undefined) rt.restore(o.resume);
  if (states !== undefined) for (const line of states.restore(rt, fromUs, params, manifest.symbol)) o.log?.(line);
  const src = new ReplaySource(o.dataset, { fromUs, toUs, manifest });
  let skip = o.resume?.position ?? 0;
  let n = 0;
  const total = src.totalRows();
  try {
    while (skip > 0 && src.next() !== null) skip--;
    let nextProgress = PROGRESS_EVERY;
    for (;;) {
      // Runs of quiet trades never cross the stop: the snapshot is taken after exactly stopAfter inputs.
      const k = replayStep(src, rt, o.stopAfter === undefined ? Number.POSITIVE_INFINITY : o.stopAfter - rt.position);
      if (k === 0) break;
      states?.flush(rt);
      n += k;
      if (o.onProgress !== undefined && n >= nextProgress) {
        nextProgress = n + PROGRESS_EVERY;
        o.onProgress(rt.position, rt.now, total);
      }
      if (o.stopAfter !== undefined && rt.position >= o.stopAfter) {
        return { digest: rt.digest(), counters: rt.counters, manifest, fromUs, toUs, emittedByTopic: emitted, snapshot: rt.snapshot(), runtime: rt };
      }
    }
  } finally {
    src.close();
  }
  rt.advanceTo(toUs - 1);
  if (states !== undefined) {
    states.flush(rt);
    states.shutdown(rt);
  }
  const result: RunResult = { digest: rt.digest(), counters: { ...rt.counters }, manifest, fromUs, toUs, emittedByTopic: emitted, runtime: rt };
  if (writer !== undefined && partial !== undefined && o.out !== undefined) {
    writer.close();
    commitRunDir(o, result, params, partial, o.out);
  }
  return result;
}

/**
 * Writes the run manifest and digest into the partial run directory and renames it to `out`:
 * a directory under the final name is always a complete run.
 */
function commitRunDir(o: RunOptions, result: RunResult, params: Record<string, unknown>, partial: string, out: string): void {
  const runManifest = {
    complete: true,
    digest: result.digest,
    digest_scope: 'SHA-256 over the canonical encoding of every emitted event; equal on the same Node major version',
    from: isoUs(result.fromUs),
    to: isoUs(result.toUs),
    symbol: result.manifest.symbol,
    config: o.config,
    config_hash: configHash(o.config),
    params,
    components: o.components.map((c) => c.id),
    dataset: { path: o.dataset, files: result.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256 })) },
    counters: result.counters,
    emitted: result.emittedByTopic,
    versions: versions(),
  };
  writeFileSync(join(partial, 'manifest.json'), JSON.stringify(runManifest, null, 2) + '\n');
  writeFileSync(join(partial, 'digest'), result.digest + '\n');
  o.beforeCommit?.(partial);
  rmSync(out, { recursive: true, force: true });
  renameSync(partial, out);
  result.outDir = out;
}
