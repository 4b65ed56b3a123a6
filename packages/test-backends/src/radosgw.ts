import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { requireBinaries } from './binaries.js';
import { type CephLayout, monAddress, RGW_NAME, renderCephConf } from './ceph-conf.js';
import { runCommand } from './command.js';
import { type Daemon, startDaemon } from './daemon.js';
import { canConnect, distinctFreePorts, LOOPBACK } from './ports.js';
import { makeTempDir } from './temp-dir.js';
import type { S3Backend } from './types.js';
import { waitUntil } from './wait.js';

// Generous: a loaded CI machine can be far slower than the ~2.5 s measured on an idle one.
const STEP_TIMEOUT_MS = 90_000;
const BINARIES = ['monmaptool', 'ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph'];
const APT_PACKAGES = ['ceph-mon', 'ceph-osd', 'radosgw'];

/** Whether an HTTP server answers at host:port, with any status (the gateway answers 200 or 403 on /). */
function httpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'GET', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

/**
 * A local Ceph RadosGW: monitor + memstore OSD + gateway on 127.0.0.1, state in a temp dir, and one
 * S3 user. stop() kills the three daemons and removes the dir.
 */
export async function startRadosGw(): Promise<S3Backend> {
  const [monmaptool, cephMon, cephOsd, radosgw, radosgwAdmin, ceph] = requireBinaries(
    BINARIES,
    APT_PACKAGES,
    'TEST_S3_ENDPOINT',
  ) as [string, string, string, string, string, string];
  const dir = makeTempDir('test-rgw-');
  const daemons: Daemon[] = [];
  const stopAll = async () => {
    // Newest first (gateway, OSD, monitor). SIGKILL: the data is thrown away, and a memstore OSD
    // would otherwise spend its shutdown writing RAM to disk.
    for (const daemon of [...daemons].reverse()) await daemon.stop('SIGKILL');
    dir.remove();
  };

  try {
    const [monV2Port, monV1Port, rgwPort] = (await distinctFreePorts(3)) as [number, number, number];
    const layout: CephLayout = { fsid: randomUUID(), dir: dir.path, monV2Port, monV1Port, rgwPort };
    const conf = join(dir.path, 'ceph.conf');
    for (const sub of ['run', 'log', 'mon', 'osd', 'rgw']) mkdirSync(join(dir.path, sub));
    writeFileSync(conf, renderCephConf(layout));
    const log = (name: string) => join(dir.path, 'log', `${name}.log`);
    // Every ceph CLI call: bounded, so a dead monitor gives an error instead of a hang.
    const cephCli = (...args: string[]) =>
      runCommand(ceph, ['-c', conf, '--connect-timeout', '30', ...args], STEP_TIMEOUT_MS);

    // Monitor.
    const monmap = join(dir.path, 'monmap');
    await runCommand(monmaptool, [
      '--create',
      '--fsid',
      layout.fsid,
      '--addv',
      'a',
      monAddress(layout),
      monmap,
    ]);
    await runCommand(cephMon, ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap]);
    const mon = startDaemon({
      name: 'ceph-mon',
      command: cephMon,
      args: ['-c', conf, '-i', 'a', '-f'],
      logFile: join(dir.path, 'mon.out'),
      extraLogFiles: [log('mon.a')],
    });
    daemons.push(mon);
    await waitUntil(() => canConnect(LOOPBACK, monV2Port), {
      what: `ceph-mon to listen on ${LOOPBACK}:${monV2Port}`,
      timeoutMs: STEP_TIMEOUT_MS,
      daemon: mon,
    });

    // OSD: register it (this also waits for the monitor's quorum), create its store, start it.
    const osdUuid = randomUUID();
    const osdId = (await cephCli('osd', 'new', osdUuid)).trim();
    mkdirSync(join(dir.path, 'osd', `ceph-${osdId}`));
    await runCommand(cephOsd, ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid], STEP_TIMEOUT_MS);
    const osd = startDaemon({
      name: 'ceph-osd',
      command: cephOsd,
      args: ['-c', conf, '-i', osdId, '-f'],
      logFile: join(dir.path, 'osd.out'),
      extraLogFiles: [log(`osd.${osdId}`)],
    });
    daemons.push(osd);
    await waitUntil(
      async () =>
        (JSON.parse(await cephCli('osd', 'stat', '-f', 'json')) as { num_up_osds?: number }).num_up_osds ===
        1,
      { what: 'the OSD to be up (ceph osd stat)', timeoutMs: STEP_TIMEOUT_MS, daemon: osd },
    );

    // Gateway, then an S3 user (the gateway has created the RGW pools and zone by then).
    const gateway = startDaemon({
      name: 'radosgw',
      command: radosgw,
      args: ['-c', conf, '-n', RGW_NAME, '-f'],
      logFile: join(dir.path, 'rgw.out'),
      extraLogFiles: [log(RGW_NAME)],
    });
    daemons.push(gateway);
    await waitUntil(() => httpAnswers(LOOPBACK, rgwPort), {
      what: `radosgw to answer HTTP on ${LOOPBACK}:${rgwPort}`,
      timeoutMs: STEP_TIMEOUT_MS,
      daemon: gateway,
    });
    const accessKeyId = `TB${randomBytes(9).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(24).toString('base64url');
    await runCommand(
      radosgwAdmin,
      [
        '-c',
        conf,
        'user',
        'create',
        '--uid=tester',
        '--display-name=tester',
        `--access-key=${accessKeyId}`,
        `--secret-key=${secretAccessKey}`,
      ],
      STEP_TIMEOUT_MS,
    );

    return {
      endpoint: `http://${LOOPBACK}:${rgwPort}`,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      kind: 'rgw',
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
