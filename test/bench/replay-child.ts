import { ReplaySource } from '../../adapters/replay.ts';
import { StreamReader } from '../../adapters/stream-reader.ts';
import { readManifest } from '../../adapters/manifest.ts';
import { STREAM_KINDS } from '../../adapters/columnar.ts';
import { replayDay, stageComponents } from './day.ts';

// One benchmark stage in its own process, so that peak RSS belongs to that stage alone.
//   node --import tsx test/bench/replay-child.ts <dataset> read|merge|runtime|providers|engines [passes]
// Prints one JSON line: {stage, events, seconds, rssPeakMb}. With passes > 1 (the runtime stages)
// the day is replayed that many times in this process and the last pass is timed: the steady
// state, with V8's compiled code warm, which a multi-day backtest approaches.

const [dir, stage, passesArg] = process.argv.slice(2);
const passes = Number(passesArg ?? 1);
let t0 = process.hrtime.bigint();
let events = 0;
if (stage === 'read') {
  const m = readManifest(dir);
  for (const kind of STREAM_KINDS.filter((k) => m.streams.includes(k))) {
    const r = new StreamReader(dir, kind, m.symbol, m.files, {});
    while (r.next()) events++;
  }
} else if (stage === 'merge') {
  const src = new ReplaySource(dir);
  while (src.next() !== null) events++;
} else {
  const components = stageComponents(stage as 'runtime' | 'providers' | 'engines');
  for (let pass = 1; pass <= passes; pass++) {
    t0 = process.hrtime.bigint();
    events = replayDay(dir, components).counters.inputs;
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const rssPeakMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ stage, events, seconds, rssPeakMb }) + '\n');
