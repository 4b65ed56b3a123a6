// How a Redis process is told to speak TLS, and how the harness's own probes connect to it.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsFiles } from './tls-certificates.js';

/** `server`: only the server proves who it is. `mutual`: clients must present a certificate too. */
export type TlsMode = 'server' | 'mutual';

export interface RedisTls {
  files: TlsFiles;
  mode: TlsMode;
}

/**
 * Settings every TLS process of ours gets (its port is set by the caller). Replication and sentinel
 * links use TLS as well, and a node dialling another presents the server certificate as its client
 * certificate, so mutual TLS holds inside the topology too.
 */
export function redisTlsArgs({ files, mode }: RedisTls): string[] {
  return [
    '--tls-cert-file',
    files.serverCert,
    '--tls-key-file',
    files.serverKey,
    '--tls-ca-cert-file',
    files.caCert,
    '--tls-auth-clients',
    mode === 'mutual' ? 'yes' : 'no',
    '--tls-replication',
    'yes',
  ];
}

/** Node TLS options of a client that trusts our CA and presents our client certificate. */
export function tlsClientOptions(files: TlsFiles): ConnectionOptions {
  return {
    ca: readFileSync(files.caCert),
    cert: readFileSync(files.clientCert),
    key: readFileSync(files.clientKey),
  };
}
