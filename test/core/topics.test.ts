import { describe, expect, it } from 'vitest';
import { RunConfigSchema } from '../../cli/config.ts';
import { ALL_COMPONENTS, strategyComponents } from '../../cli/registry.ts';
import { runBacktest } from '../../cli/run.ts';
import { ENGINE_IDS } from '../../engines/registry.ts';
import { kindOfTopic, topicSpec, TOPICS } from '../../core/topics.ts';
import type { Out, QxEvent } from '../../core/event.ts';
import { synthDataset } from '../support/datasets.ts';

// Goal: the topic registry is the contract between processes: every topic a component declares
// is registered, and every record the whole topology emits on a synthetic day parses with its
// topic's schema for its record type. Method: run all components, parse every emitted payload.

describe('core > topic registry', () => {
  it('registers every output kind every component declares, once', () => {
    const kinds = TOPICS.map((t) => t.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const c of ALL_COMPONENTS) for (const k of c.outputs) expect(topicSpec(k), `${c.id} -> ${k}`).toBeDefined();
  });

  it('every emitted record of a synthetic day parses with its registered schema', async () => {
    const { dir } = await synthDataset(11);
    const seen = new Map<string, number>();
    const problems: string[] = [];
    runBacktest({
      dataset: dir, config: RunConfigSchema.parse({}), components: strategyComponents([...ENGINE_IDS], 'both'),
      onEmit: (ev: QxEvent<Out>) => {
        const kind = kindOfTopic(ev.topic, 'BTCUSDT');
        const schema = topicSpec(kind)?.types?.[ev.payload.type];
        const key = `${kind}/${ev.payload.type}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (schema === undefined) {
          problems.push(`${key}: not registered`);
          return;
        }
        const r = schema.safeParse(ev.payload.payload);
        if (!r.success && problems.length < 10) problems.push(`${key}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
      },
    });
    expect(problems).toEqual([]);
    expect(seen.size).toBeGreaterThan(15);
  });
});
