import { z } from 'zod';

// Zod schemas of the raw topics: the contract of a Kafka message and a Parquet row alike.

const finite = z.number().finite();
const positive = finite.positive();
const nonNegative = finite.nonnegative();
const intId = z.number().int().nonnegative();

export const TradeSchema = z.strictObject({
  id: intId,
  price: positive,
  qty: positive,
  isBuyerMaker: z.boolean(),
});

const levels = z.array(nonNegative);

export const DepthSchema = z
  .strictObject({
    snapshot: z.boolean(),
    U: intId,
    u: intId,
    pu: z.number().int().min(-1),
    bidPx: levels,
    bidQty: levels,
    askPx: levels,
    askQty: levels,
  })
  .refine((d) => d.bidPx.length === d.bidQty.length && d.askPx.length === d.askQty.length, {
    message: 'price and quantity arrays differ in length',
  })
  .refine((d) => d.snapshot || d.U <= d.u, { message: 'first update id U is above final id u' });

export const KlineSchema = z
  .strictObject({
    t: z.number().int(),
    o: positive,
    h: positive,
    l: positive,
    c: positive,
    v: nonNegative,
    q: nonNegative,
    n: z.number().int().nonnegative(),
    V: nonNegative,
    Q: nonNegative,
  })
  .refine((k) => k.l <= Math.min(k.o, k.c) && k.h >= Math.max(k.o, k.c), { message: 'high/low do not bound open/close' })
  .refine((k) => k.V <= k.v * (1 + 1e-12), { message: 'taker-buy volume V exceeds volume v' });
