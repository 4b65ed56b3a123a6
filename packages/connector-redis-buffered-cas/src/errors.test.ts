/** The translation table from node-redis failures to the protocol's error codes. */
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  MaxCommandRedirectionsError,
  SocketClosedUnexpectedlyError,
  TimeoutError,
} from '@redis/client';
import { ConflictError } from '@state-proxy/connector-core';
import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, translateRedisError } from './errors.js';
import { ReplicationShortfallError } from './replication.js';

function errno(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
}

describe('translateRedisError', () => {
  it.each([
    [new ClientOfflineError(), 'unavailable'],
    [new ClientClosedError(), 'unavailable'],
    [new DisconnectsClientError(), 'unavailable'],
    [new SocketClosedUnexpectedlyError(), 'unavailable'],
    [errno('ECONNREFUSED'), 'unavailable'],
    [errno('ECONNRESET'), 'unavailable'],
    [errno('EPIPE'), 'unavailable'],
    [errno('ENOTFOUND'), 'unavailable'],
    [new ErrorReply('LOADING Redis is loading the dataset in memory'), 'unavailable'],
    [new ErrorReply('MASTERDOWN Link with MASTER is down'), 'unavailable'],
    [new ErrorReply('BUSY Redis is busy running a script'), 'unavailable'],
    [new ErrorReply('READONLY You cannot write against a read only replica.'), 'unavailable'],
    [new ErrorReply("OOM command not allowed when used memory > 'maxmemory'."), 'unavailable'],
    [new ErrorReply('MISCONF Redis is configured to save RDB snapshots'), 'unavailable'],
    [new ErrorReply('ERR max number of clients reached'), 'unavailable'],
    [new ErrorReply('CLUSTERDOWN The cluster is down'), 'unavailable'],
    [new ErrorReply('TRYAGAIN Multiple keys request during rehashing of slot'), 'unavailable'],
    [new MaxCommandRedirectionsError(new ErrorReply('MOVED 3999 127.0.0.1:6381')), 'unavailable'],
    [new ReplicationShortfallError(1, 1000, '0 did'), 'unavailable'],
    [new DeadlineExceededError(2000), 'timeout'],
    [new TimeoutError('timeout'), 'timeout'],
    [new ConnectionTimeoutError(), 'timeout'],
    [errno('ETIMEDOUT'), 'timeout'],
    [new ErrorReply('NOAUTH Authentication required.'), 'permission_denied'],
    [new ErrorReply('WRONGPASS invalid username-password pair'), 'permission_denied'],
    [new ErrorReply("NOPERM User app has no permissions to run the 'set' command"), 'permission_denied'],
    [new ErrorReply('WRONGTYPE Operation against a key holding the wrong kind of value'), 'bad_request'],
    [new ErrorReply("ERR invalid expire time in 'expire' command"), 'bad_request'],
    [new ErrorReply('ERR something new'), 'internal_error'],
    [new Error('a bug'), 'internal_error'],
  ])('%s → %s', (error, code) => {
    expect(translateRedisError(error).code).toBe(code);
  });

  it('keeps typed errors as they are', () => {
    const conflict = new ConflictError('k');
    expect(translateRedisError(conflict)).toBe(conflict);
  });

  it('offline because the handshake was refused (WRONGPASS, NOAUTH, NOPERM) is permission_denied', () => {
    for (const reply of [
      'WRONGPASS invalid username-password pair or user is disabled.',
      'NOAUTH HELLO must be called with the client already authenticated',
      "NOPERM this user has no permissions to run the 'select' command",
    ]) {
      const translated = translateRedisError(new ClientOfflineError(), new ErrorReply(reply));
      expect([translated.code, translated.message]).toEqual([
        'permission_denied',
        `Redis denied access when connecting: ${reply}`,
      ]);
    }
    // Any other handshake reply is still an outage.
    const busy = translateRedisError(
      new ClientOfflineError(),
      new ErrorReply('ERR max number of clients reached'),
    );
    expect(busy.code).toBe('unavailable');
  });

  it('says why the client is offline when it knows', () => {
    const translated = translateRedisError(new ClientOfflineError(), errno('ECONNREFUSED'));
    expect(translated.message).toBe('Redis is not connected: connect ECONNREFUSED 127.0.0.1:6379');
  });

  it('says which TLS setting to check when a certificate was refused, by us or by the server', () => {
    const untrusted = translateRedisError(
      new ClientOfflineError(),
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    );
    expect([untrusted.code, untrusted.message]).toEqual([
      'unavailable',
      'Redis is not connected: its TLS certificate is not trusted (self-signed certificate in certificate chain): check REDIS_TLS_CA_FILE and the host names in REDIS_URL',
    ]);
    const altname = translateRedisError(
      new ClientOfflineError(),
      Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      }),
    );
    expect(altname.message).toMatch(/not trusted.*altnames/);
    const refused = translateRedisError(
      new ClientOfflineError(),
      Object.assign(new Error('ssl3_read_bytes:tlsv13 alert certificate required\n'), {
        code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      }),
    );
    expect(refused.message).toBe(
      'Redis is not connected: it refused our TLS client certificate (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED): check REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE',
    );
  });
});
