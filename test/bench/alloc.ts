import { Session } from 'node:inspector';
import { join } from 'node:path';
import { benchDay, replayDay, stageComponents } from './day.ts';

// `npm run bench:alloc [providers|engines]`: what the replay of the bench day allocates, by
// function, on a second pass (JIT warm), with V8's sampling heap profiler counting the objects
// the GC has already collected too. On the hot path nearly all of it should be the canonical
// text of emitted records; a provider's function near the top usually boxes doubles
// (CONTRIBUTING.md, "Numbers on the hot path"). Prints MB per function (sampled, ~1% noise).

const ROOT = new URL('../..', import.meta.url).pathname;
const CACHE = process.env.QX_CACHE_DIR ?? join(ROOT, '.qx-cache');
const which = process.argv[2] ?? 'providers';
if (which !== 'providers' && which !== 'engines') {
  process.stderr.write(`qx bench:alloc: the stage must be 'providers' or 'engines', was '${which}'\n`);
  process.exit(2);
}
const components = stageComponents(which);
const dir = await benchDay('arrow', CACHE);
const replay = (): unknown => replayDay(dir, components);

const session = new Session();
session.connect();
const post = <T>(method: string, params: object = {}) =>
  new Promise<T>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as T))));

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

replay();
await post('HeapProfiler.enable');
await post('HeapProfiler.startSampling', {
  samplingInterval: 16384, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true,
});
replay();
const { profile } = await post<{ profile: { head: ProfileNode } }>('HeapProfiler.stopSampling');
const bytes = new Map<string, number>();
const walk = (n: ProfileNode): void => {
  const file = n.callFrame.url.replace(`file://${ROOT}`, '') || '(native)';
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${file}`;
  bytes.set(key, (bytes.get(key) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c);
};
walk(profile.head);
const total = [...bytes.values()].reduce((a, b) => a + b, 0);
console.log(`qx bench:alloc — ${which}, second pass over the bench day: ${(total / 1e6).toFixed(0)} MB allocated`);
for (const [key, b] of [...bytes].sort((x, y) => y[1] - x[1]).slice(0, 20)) {
  console.log(`${(b / 1e6).toFixed(1).padStart(8)} MB  ${key}`);
}
