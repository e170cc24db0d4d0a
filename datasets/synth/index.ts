import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetWriter } from '../../adapters/dataset-writer.ts';
import { STREAM_KINDS, type Format, type StreamKind } from '../../adapters/columnar.ts';
import { PARSE_ONCE, topicOf } from '../../core/component.ts';
import type { QxEvent } from '../../core/event.ts';
import { US_PER_DAY } from '../../core/time.ts';
import { generateMarket } from './market.ts';
import { resolveScale, SynthOptionsSchema, type Labels, type MarketSink, type SynthOptions } from './options.ts';

// The synthetic market generator's public surface, and the driver that streams it into a
// dataset directory (part files per hour, manifest.json) with its labels in labels.json.

export { generateMarket } from './market.ts';
export { SCALES, SynthOptionsSchema, resolveScale } from './options.ts';
export { checkEpisodes, EpisodeProbe } from './probe.ts';
export type { Episode, EpisodeKind, Labels, MarketSink, ScaleConfig, SynthOptions } from './options.ts';

export const LABELS_FILE = 'labels.json';
export const GENERATOR_ID = 'qx-synth-v1';

/** Generates a market into a new dataset in `dir` (streaming, bounded memory); returns the labels. */
export async function synthToDataset(dir: string, options: SynthOptions, format: Format = 'parquet'): Promise<Labels> {
  const cfg = SynthOptionsSchema.parse(options, PARSE_ONCE);
  const sym = cfg.symbol;
  const toUs = cfg.fromUs + cfg.days * US_PER_DAY;
  const writer = new DatasetWriter(dir, {
    symbol: sym,
    format,
    fromUs: cfg.fromUs,
    toUs,
    streams: STREAM_KINDS,
    provenance: {
      generator: GENERATOR_ID,
      params: { seed: cfg.seed, fromUs: cfg.fromUs, days: cfg.days, scale: cfg.scale, rates: resolveScale(cfg.scale), symbol: sym },
      createdBy: 'qx synth',
    },
  });
  // Topics looked up once, not per event.
  const topics = { 'raw-trades': topicOf('raw-trades', sym), depth: topicOf('depth', sym), 'kline-1m': topicOf('kline-1m', sym) };
  const event = (kind: StreamKind, ts: number, payload: unknown): QxEvent => ({
    topic: topics[kind], ts, recvTs: ts, key: sym, seq: 0, payload,
  });
  const sink: MarketSink = {
    trade: (ts, t) => writer.add('raw-trades', event('raw-trades', ts, t)),
    depth: (ts, d) => writer.add('depth', event('depth', ts, d)),
    kline: (ts, k) => writer.add('kline-1m', event('kline-1m', ts, k)),
  };
  const labels = generateMarket(cfg, sink);
  await writer.close();
  writeFileSync(join(dir, LABELS_FILE), `${JSON.stringify(labels, null, 1)}\n`);
  return labels;
}
