// Certificates for TLS tests, made with the local `openssl` in a few tens of milliseconds: P-256 keys
// (far cheaper to make than RSA), valid for two days, with no openssl.cnf of the machine involved
// (`-config /dev/null`), so every machine makes the same kind of certificate.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinaries } from './binaries.js';
import { runCommand } from './command.js';

/** Paths of PEM files. */
export interface TlsFiles {
  /** The CA that signed the server and client certificates: trust it to connect. */
  caCert: string;
  /** For IP 127.0.0.1 and DNS localhost; usable as a client certificate too (Redis nodes dial each other with it). */
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by the same CA, for mutual TLS. */
  clientCert: string;
  clientKey: string;
  /** A second CA that signed nothing here: a client that trusts only it must fail to connect. */
  wrongCaCert: string;
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function selfSignedCa(openssl: string, cert: string, key: string, name: string): Promise<string> {
  return runCommand(openssl, [
    'req',
    '-config',
    '/dev/null',
    '-x509',
    ...KEY_ARGS,
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function signedLeaf(
  openssl: string,
  ca: { cert: string; key: string },
  leaf: { cert: string; key: string; name: string; extensions: string[] },
): Promise<string> {
  return runCommand(openssl, [
    'req',
    '-config',
    '/dev/null',
    '-x509',
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    ...KEY_ARGS,
    '-keyout',
    leaf.key,
    '-out',
    leaf.cert,
    '-days',
    '2',
    '-subj',
    `/CN=${leaf.name}`,
    ...leaf.extensions.flatMap((extension) => ['-addext', extension]),
  ]);
}

/** Makes a CA, a server and a client certificate signed by it, and an unrelated second CA, in `dir`. */
export async function makeTlsFiles(dir: string): Promise<TlsFiles> {
  const [openssl] = requireBinaries(['openssl'], ['openssl']);
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => join(dir, name);
  const files: TlsFiles = {
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    wrongCaCert: file('wrong-ca.crt'),
  };
  const ca = { cert: files.caCert, key: file('ca.key') };
  await Promise.all([
    selfSignedCa(openssl!, ca.cert, ca.key, 'test-backends CA'),
    selfSignedCa(openssl!, files.wrongCaCert, file('wrong-ca.key'), 'test-backends unrelated CA'),
  ]);
  await Promise.all([
    signedLeaf(openssl!, ca, {
      cert: files.serverCert,
      key: files.serverKey,
      name: 'localhost',
      extensions: ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth,clientAuth'],
    }),
    signedLeaf(openssl!, ca, {
      cert: files.clientCert,
      key: files.clientKey,
      name: 'test-backends client',
      extensions: ['extendedKeyUsage=clientAuth'],
    }),
  ]);
  return files;
}
