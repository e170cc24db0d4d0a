import { z } from 'zod';

// The payload of every `signal-*` topic (SPEC §15).

export const SignalPayloadSchema = z.strictObject({
  generator: z.string().min(1),
  direction: z.union([z.literal(1), z.literal(-1)]),
  bar_open_us: z.number().int(),
  close: z.number().positive(),
  score: z.number().min(0).max(1),
  components: z.record(z.string(), z.number().min(0).max(1)),
  reasons: z.array(z.string()),
  params_hash: z.string().regex(/^[0-9a-f]{64}$/),
});
