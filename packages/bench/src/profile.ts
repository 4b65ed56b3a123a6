/**
 * `pnpm --filter @state-proxy/bench profile <variant> [GET|PUT|both] [keepalive|newconn] [seconds] [bytes]`:
 * a CPU profile of one connector process (node --cpu-prof) under load: 1 KiB objects at
 * concurrency 16 by default (objects over 1 MiB: concurrency 4, as in the benchmark),
 * then where its CPU went (self and inclusive time per function).
 * The profile is written when the connector exits after SIGTERM; the .cpuprofile file is kept
 * (path printed) for Chrome DevTools or speedscope.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import { acquireBackends } from './backends.js';
import { stopOnSignals, track } from './cleanup.js';
import { analyzeProfile, type Row, readProfile, type Window } from './cpuprofile.js';
import { runLoad } from './load.js';
import { fmtMs, fmtRate, renderTable } from './table.js';
import { connectorTarget } from './targets.js';
import { selectedVariants } from './variants.js';

const [
  variantName = 'redis-buffered-cas',
  opArg = 'both',
  modeArg = 'keepalive',
  secondsArg = '5',
  bytesArg = '1024',
] = process.argv.slice(2);
const variant = selectedVariants(variantName)[0]!;
const ops = opArg === 'both' ? (['GET', 'PUT'] as const) : ([opArg.toUpperCase()] as ('GET' | 'PUT')[]);
const keepAlive = modeArg !== 'newconn';
const seconds = Number(secondsArg);
const bytes = Number(bytesArg);
const concurrency = bytes > 1048576 ? 4 : 16;
const sizeLabel = bytes >= 1048576 ? `${bytes / 1048576} MiB` : `${bytes / 1024} KiB`;

stopOnSignals();
const backends = await acquireBackends([variant]);
const releaseBackends = track(() => backends.release());
const profileDir = await mkdtemp(join(tmpdir(), `cpuprof-${variant.name}-`));
let connector: SpawnedConnector | undefined;
try {
  const prefix = `profile-${Date.now().toString(36)}`;
  connector = await spawnConnector({
    entry: variant.entry,
    env: {
      ...variant.env(backends, prefix),
      NODE_OPTIONS:
        `${variant.env(backends, prefix).NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim(),
    },
  });
  const untrack = track(connector.stop);
  const direct = await variant.direct(backends, prefix);
  const body = randomBytes(bytes);
  await Promise.all(Array.from({ length: 16 }, (_, i) => direct.put(`p/get/${i}`, body)));
  await direct.close();
  const target = connectorTarget(connector.socketPath, keepAlive);
  const windows: { op: string; window: Window }[] = [];
  const nowUs = () => Number(process.hrtime.bigint() / 1000n); // the profile's clock
  for (const op of ops) {
    const fromUs = nowUs();
    const result = await runLoad(
      (worker) => (op === 'GET' ? target.get(`p/get/${worker}`, bytes) : target.put(`p/put/${worker}`, body)),
      { concurrency, durationMs: seconds * 1000, warmupMs: 500 },
    );
    windows.push({ op, window: { fromUs, toUs: nowUs() } });
    process.stderr.write(
      `profile: ${variant.name} ${sizeLabel} ${op} c${concurrency} ${keepAlive ? 'keep-alive' : 'new conn/op'}: ${fmtRate(result.opsPerSec)} ops/s, p50 ${fmtMs(result.p50Ms)} ms, p99 ${fmtMs(result.p99Ms)} ms, errors ${result.errors}\n`,
    );
  }
  await target.close();
  untrack();
  await connector.stop(); // SIGTERM → graceful exit → V8 writes the profile
  connector = undefined;

  const file = (await readdir(profileDir)).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profile = readProfile(join(profileDir, file));
  const table = (rows: Row[]) =>
    renderTable(
      ['ms', '% busy', 'where'],
      rows.map((r) => [r.ms.toFixed(0), (r.share * 100).toFixed(1), r.name]),
    );
  const sections: [string, Window | undefined][] = [
    ['start-up (before the first load)', { fromUs: profile.startTime, toUs: windows[0]!.window.fromUs }],
    ...windows.map(({ op, window }): [string, Window] => [
      `${sizeLabel} ${op} c${concurrency} (${keepAlive ? 'keep-alive' : 'new conn/op'})`,
      window,
    ]),
  ];
  console.log(`CPU profile of ${variant.name}: ${join(profileDir, file)}`);
  for (const [title, window] of sections) {
    const summary = analyzeProfile(profile, 'dist/main.cjs', window);
    const busy = summary.totalMs - summary.idleMs;
    console.log(
      [
        '',
        `# ${title}`,
        `sampled ${summary.totalMs.toFixed(0)} ms: busy ${busy.toFixed(0)} ms (${((busy / summary.totalMs) * 100).toFixed(0)}%), idle ${summary.idleMs.toFixed(0)} ms, GC ${summary.gcMs.toFixed(0)} ms`,
        '',
        '## self time by function',
        table(summary.selfByFunction),
        '',
        '## inclusive time by function',
        table(summary.inclusiveByFunction),
      ].join('\n'),
    );
  }
} finally {
  await connector?.stop();
  releaseBackends();
  await backends.release();
}
