/**
 * The one place where node-redis failures become core's typed errors, so an outage is always
 * 503/504 and never a 500; and the tests that tell a refusal (credentials, certificates) from an
 * outage, which the connection's state follows too. Messages from Redis and sockets never contain
 * the URL's password.
 */

import {
  BadRequestError,
  ConnectorError,
  isNetworkErrorCode,
  PermissionDeniedError,
  TimeoutError,
  UnavailableError,
} from '@state-proxy/connector-core';
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  MaxCommandRedirectionsError,
  TimeoutError as RedisTimeoutError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from './node-redis.js';
import { ReplicationShortfallError } from './replication.js';

/** Reply prefixes that mean Redis refuses us: wrong credentials or missing ACL permissions. */
const DENIED_REPLIES = ['NOAUTH', 'WRONGPASS', 'NOPERM'];

/** Whether `error` is Redis refusing us (to a command, or to the connection's handshake). */
export function isDeniedReply(error: unknown): boolean {
  return error instanceof ErrorReply && DENIED_REPLIES.includes(error.message.split(' ', 1)[0] ?? '');
}

/**
 * A TLS handshake that failed over certificates: `untrusted` when we refuse the server's (not
 * signed by a CA we trust, REDIS_TLS_CA_FILE; expired; made for another host name than the one we
 * dialled), `refused` when the server refuses ours (none given, or not of a CA it trusts: mutual
 * TLS, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE). Retrying cannot help until someone changes a
 * certificate or a setting, so it is logged as such, not as an outage.
 */
export function certificateProblem(error: unknown): 'untrusted' | 'refused' | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (SERVER_REFUSED_OUR_CERTIFICATE.test(code)) return 'refused';
  if (WE_REFUSED_ITS_CERTIFICATE.test(code)) return 'untrusted';
  return undefined;
}

/** OpenSSL alerts from a server that wants a (valid) client certificate. */
const SERVER_REFUSED_OUR_CERTIFICATE =
  /^ERR_SSL_.*_ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;
/** Node's verification failures: SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID... */
const WE_REFUSED_ITS_CERTIFICATE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|(?!ERR_).*(CERT|UNABLE_TO_|SELF_SIGNED).*)$/;

/** A call that Redis did not answer within its deadline. */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`Redis did not answer within ${deadlineMs} ms`);
  }
}

/** Reply prefixes that mean "this server cannot serve right now"; retrying later may work. */
const UNAVAILABLE_REPLIES = [
  'LOADING', // still loading its dataset after a restart
  'MASTERDOWN', // replica lost its primary
  'BUSY', // a long script or function is running
  'TRYAGAIN',
  'CLUSTERDOWN',
  'READONLY', // we reached a replica, e.g. during a failover
  'MISCONF', // persistence failing, writes refused
  'OOM', // maxmemory reached
  'NOREPLICAS',
];

/** What to check when a TLS handshake failed over a certificate (see certificateProblem). */
const CERTIFICATE_MESSAGES = {
  untrusted: (error: Error) =>
    `Redis is not connected: its TLS certificate is not trusted (${error.message}): check REDIS_TLS_CA_FILE and the host names in REDIS_URL`,
  refused: (error: Error & { code?: string }) =>
    `Redis is not connected: it refused our TLS client certificate (${error.code}): check REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE`,
};

/**
 * @param lastConnectionError why the client is offline, when a command failed only because it is
 *   (node-redis just says "The client is offline").
 */
export function translateRedisError(error: unknown, lastConnectionError?: Error): ConnectorError {
  if (error instanceof ConnectorError) return error;
  if (!(error instanceof Error))
    return new ConnectorError('internal_error', 'internal error', { cause: error });

  if (error instanceof DeadlineExceededError) {
    return new TimeoutError(`${error.message} (STATE_BACKEND_TIMEOUT_MS, REDIS_TIMEOUT_PER_MIB_MS)`, {
      cause: error,
    });
  }
  if (error instanceof RedisTimeoutError || error instanceof ConnectionTimeoutError) {
    return new TimeoutError(`Redis did not answer in time: ${error.message}`, { cause: error });
  }
  if (error instanceof ReplicationShortfallError)
    return new UnavailableError(error.message, { cause: error });
  if (error instanceof ErrorReply) return translateReply(error);
  if (error instanceof MaxCommandRedirectionsError) {
    // A Cluster whose slots keep moving (a resharding, a failover in progress).
    return new UnavailableError(`Redis Cluster cannot serve: ${error.message}`, { cause: error });
  }
  if (
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof DisconnectsClientError
  ) {
    // Offline because the server refused our handshake: retrying cannot help until the
    // credentials or the server's ACL change, so this is no outage.
    if (lastConnectionError !== undefined && isDeniedReply(lastConnectionError)) {
      const message = `Redis denied access when connecting: ${lastConnectionError.message}`;
      return new PermissionDeniedError(message, { cause: lastConnectionError });
    }
    const certificate = certificateProblem(lastConnectionError);
    if (certificate !== undefined) {
      return new UnavailableError(CERTIFICATE_MESSAGES[certificate](lastConnectionError!), {
        cause: lastConnectionError,
      });
    }
    const reason = lastConnectionError ? `: ${lastConnectionError.message}` : '';
    return new UnavailableError(`Redis is not connected${reason}`, { cause: error });
  }
  if (error instanceof SocketClosedUnexpectedlyError || error instanceof SocketTimeoutError) {
    return new UnavailableError(`Redis connection lost: ${error.message}`, { cause: error });
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT')
    return new TimeoutError(`Redis connection timed out: ${error.message}`, { cause: error });
  if (isNetworkErrorCode(code)) {
    return new UnavailableError(`Redis is unreachable: ${error.message}`, { cause: error });
  }
  return new ConnectorError('internal_error', 'internal error', { cause: error });
}

function translateReply(reply: Error): ConnectorError {
  const word = reply.message.split(' ', 1)[0] ?? '';
  if (UNAVAILABLE_REPLIES.includes(word) || reply.message.startsWith('ERR max number of clients reached'))
    return new UnavailableError(`Redis cannot serve: ${reply.message}`, { cause: reply });
  if (isDeniedReply(reply)) {
    return new PermissionDeniedError(`Redis denied access: ${reply.message}`, { cause: reply });
  }
  if (word === 'WRONGTYPE') {
    // Someone else stored a hash, list... under this name; the protocol only knows strings.
    return new BadRequestError('the Redis key holds a non-string value (WRONGTYPE)');
  }
  if (reply.message.startsWith('ERR invalid expire time')) {
    return new BadRequestError('ttl is out of the range Redis accepts');
  }
  return new ConnectorError('internal_error', `unexpected Redis reply: ${reply.message}`, { cause: reply });
}
