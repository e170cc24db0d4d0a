import type { z } from 'zod';
import { TradeSchema, DepthSchema, KlineSchema } from './schemas/raw.ts';
import { CvdBarSchema, DeltaFlipSchema } from './schemas/cvd.ts';
import { TbsrSchema } from './schemas/tbsr.ts';
import { L2DeltaSchema } from './schemas/l2-delta.ts';
import { GarchPayloadSchema } from './schemas/garch.ts';
import { VolatilityStatePayloadSchema } from './schemas/volatility-state.ts';
import { HiddenLiquidityPayload } from './schemas/hidden-liquidity.ts';
import { SpoofSuspectPayload, SpoofPressurePayload } from './schemas/spoofing.ts';
import { SpreadBarSchema, SpreadWideningSchema } from './schemas/spread.ts';
import { VacuumPayload } from './schemas/liquidity-vacuum.ts';
import { VpinPayloadSchema } from './schemas/vpin.ts';
import { KalmanPayloadSchema } from './schemas/kalman.ts';
import { VolumeProfilePayloadSchema } from './schemas/volume-profile.ts';
import { VwapPayloadSchema } from './schemas/multi-vwap.ts';
import { SignalPayloadSchema } from './schemas/signal.ts';
import {
  CancelCommandSchema, EnterCommandSchema, EquitySchema, ExitCommandSchema, TradeRecordSchema, VerdictSchema,
} from './schemas/execution.ts';
import { VolumeRatioPayloadSchema } from './schemas/volume-ratio.ts';

// The topic registry (DESIGN §3): every topic kind, its family, and the zod schema of each record
// type it carries. It is the public API between processes: a Kafka message and a Parquet row of
// a topic carry exactly this schema. Full topic names add `-<symbol>` (lower case), except
// `execution-commands-<engine>`.

export type Family = 'raw' | 'event' | 'data' | 'signal' | 'validation' | 'execution' | 'trades' | 'equity';

export interface TopicSpec {
  kind: string;
  family: Family;
  /** Raw topics carry one payload; derived topics carry SPEC §0.4 records, by record type. */
  raw?: z.ZodType;
  types?: Readonly<Record<string, z.ZodType>>;
}

// The VPIN provider emits one record per completed bucket and one per bar with the same fields.
const vpin = { VPIN: VpinPayloadSchema, VPIN_BUCKET: VpinPayloadSchema };

export const SIGNAL_KINDS = [
  'signal-cse-compressionbreakout', 'signal-cse-flowinflections', 'signal-uso-ald', 'signal-cse-volatilitystress',
  'signal-uso-levelplays', 'signal-cse-phasetiming', 'signal-uso-voidswept',
] as const;

/** Engine ids with topics: the six engines and their tape-fill twins (`<id>-tape`, SPEC §17 "report both modes"). */
export const ENGINE_TOPIC_IDS = ['ald', 'cpbc', 'flip', 'vstr', 'lvl', 'vsw'].flatMap((id) => [id, `${id}-tape`]);

export const TOPICS: readonly TopicSpec[] = [
  { kind: 'raw-trades', family: 'raw', raw: TradeSchema },
  { kind: 'depth', family: 'raw', raw: DepthSchema },
  { kind: 'kline-1m', family: 'raw', raw: KlineSchema },
  { kind: 'data-cvd', family: 'data', types: { CVD: CvdBarSchema } },
  { kind: 'event-cvd-deltaflip', family: 'event', types: { DELTA_FLIP: DeltaFlipSchema } },
  { kind: 'data-tbsr', family: 'data', types: { TBSR: TbsrSchema } },
  { kind: 'data-volume-ratio', family: 'data', types: { VOLUME_RATIO: VolumeRatioPayloadSchema } },
  { kind: 'data-l2-delta', family: 'data', types: { L2_DELTA: L2DeltaSchema } },
  { kind: 'data-garch-volatility-forecast-5min', family: 'data', types: { GARCH: GarchPayloadSchema } },
  { kind: 'data-volatility-state', family: 'data', types: { VOLATILITY_STATE: VolatilityStatePayloadSchema } },
  { kind: 'data-hidden-liquidity', family: 'data', types: { HIDDEN_LIQUIDITY: HiddenLiquidityPayload } },
  {
    kind: 'data-spoofing', family: 'data',
    types: { SPOOF_SUSPECT: SpoofSuspectPayload, LAYERING_SUSPECT: SpoofSuspectPayload, SPOOF_PRESSURE: SpoofPressurePayload },
  },
  { kind: 'data-spread', family: 'data', types: { SPREAD: SpreadBarSchema, SPREAD_WIDENING: SpreadWideningSchema } },
  { kind: 'data-liquidity-vacuum', family: 'data', types: { VACUUM: VacuumPayload } },
  { kind: 'data-vpin-zscore', family: 'data', types: vpin },
  { kind: 'data-kalman', family: 'data', types: { KALMAN: KalmanPayloadSchema } },
  { kind: 'data-volume-profile', family: 'data', types: { VOLUME_PROFILE: VolumeProfilePayloadSchema } },
  { kind: 'data-multi-vwap', family: 'data', types: { VWAP: VwapPayloadSchema } },
  ...SIGNAL_KINDS.map((kind): TopicSpec => ({ kind, family: 'signal', types: { SIGNAL: SignalPayloadSchema } })),
  ...ENGINE_TOPIC_IDS.flatMap((id): TopicSpec[] => [
    { kind: `execution-commands-${id}`, family: 'execution', types: { ENTER: EnterCommandSchema, EXIT: ExitCommandSchema, CANCEL: CancelCommandSchema } },
    { kind: `validation-${id}`, family: 'validation', types: { VERDICT: VerdictSchema } },
    { kind: `trades-${id}`, family: 'trades', types: { TRADE: TradeRecordSchema } },
    { kind: `equity-${id}`, family: 'equity', types: { EQUITY: EquitySchema } },
  ]),
];

const BY_KIND = new Map(TOPICS.map((t) => [t.kind, t]));

/** Returns the spec of a topic kind, or undefined when the registry does not know it. */
export function topicSpec(kind: string): TopicSpec | undefined {
  return BY_KIND.get(kind);
}

/** Returns the kind of a full topic name (`data-cvd-btcusdt` → `data-cvd`). */
export function kindOfTopic(topic: string, symbol: string): string {
  const suffix = `-${symbol.toLowerCase()}`;
  return topic.endsWith(suffix) ? topic.slice(0, -suffix.length) : topic;
}
