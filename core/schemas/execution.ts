import { z } from 'zod';

// Payloads of the engines' topics: `execution-commands-<id>`, `validation-<id>`, `trades-<id>`,
// `equity-<id>` (SPEC §16–17, DESIGN §6).

const num = z.number().finite();
const side = z.enum(['LONG', 'SHORT']);
const hex = z.string().regex(/^[0-9a-f]{64}$/);

export const EnterCommandSchema = z.strictObject({
  command_id: hex, engine: z.string(), signal_id: hex, side, qty: num.positive(), order: z.literal('MARKET'),
  sl: num, tp: num, d_sl: num.positive(), regime: z.string(), ref_px: num.positive(),
});

export const ExitCommandSchema = z.strictObject({
  command_id: hex, engine: z.string(), trade_id: z.string(), reason: z.enum(['SL', 'TP', 'TIME']), price: num.positive(),
});

export const CancelCommandSchema = z.strictObject({
  command_id: hex, engine: z.string(), signal_id: hex, reason: z.string(),
});

export const VerdictSchema = z.object({
  signal_id: z.string(), generator: z.string(), direction: z.number(), bar_open_us: z.number(), score: z.number().nullable(),
  accepted: z.boolean(), gate: z.string().nullable(), reason: z.string(),
});

export const TradeRecordSchema = z.strictObject({
  trade_id: z.string(), signal_id: hex, generator: z.string(), side, entry_us: z.number().int(), entry_px: num.positive(),
  exit_us: z.number().int(), exit_px: num.positive(), exit_reason: z.enum(['SL', 'TP', 'TIME']), qty: num.positive(),
  d_sl: num.positive(), sl: num, tp: num, regime: z.string(), fees_usdt: num.nonnegative(), pnl_usdt: num, r_gross: num,
  r_net: num, bars_held: z.number().int().positive(), session: z.string(), both_touched: z.boolean(),
});

export const EquitySchema = z.strictObject({
  bar_open_us: z.number().int(), equity_usdt: num, in_position: z.boolean(), state: z.string(),
});
