// A standalone redis-server that speaks TLS only, with certificates made for it.
import { freePort, LOOPBACK, retryIfPortTaken } from './ports.js';
import { spawnRedisServer } from './redis-server.js';
import type { TlsMode } from './redis-tls-settings.js';
import { makeTempDir } from './temp-dir.js';
import { makeTlsFiles, type TlsFiles } from './tls-certificates.js';

export interface LocalRedisTls {
  /** `rediss://127.0.0.1:<port>` */
  url: string;
  port: number;
  mode: TlsMode;
  /** The CA to trust, the client certificate and key (required with `mutual`), and a wrong CA. */
  tls: TlsFiles;
  stop(): Promise<void>;
}

/**
 * A redis-server on 127.0.0.1 with TLS only (`--port 0 --tls-port <free>`); `mutual` makes it refuse
 * clients without a certificate of its CA (`--tls-auth-clients yes`). Always local: the tests need
 * its certificates. Its temp dir (certificates included) is removed on stop() or at process exit.
 */
export async function startLocalRedisTls(mode: TlsMode = 'server'): Promise<LocalRedisTls> {
  const dir = makeTempDir('test-redis-tls-');
  try {
    const tls = { files: await makeTlsFiles(dir.path), mode };
    const { port, daemon } = await retryIfPortTaken(async () => {
      const port = await freePort();
      return { port, daemon: await spawnRedisServer({ port, dir: dir.path, persist: false, tls }) };
    });
    return {
      url: `rediss://${LOOPBACK}:${port}`,
      port,
      mode,
      tls: tls.files,
      async stop() {
        await daemon.stop('SIGKILL'); // throwaway data
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}
