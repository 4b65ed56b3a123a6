/** Error answers: the JSON body every error has, through hono or written straight to a socket. */
import { STATUS_CODES } from 'node:http';
import type { Context } from 'hono';
import type { ConnectorError } from '../errors.js';

/** A 503 (backend down, memory busy) is worth retrying shortly; clients that honour Retry-After wait a second. */
const RETRY_AFTER = { 'Retry-After': '1' };

/** A 408 leaves the rest of its body unread: the connection cannot carry another request. */
const CLOSE = { Connection: 'close' };

/** `{"error": code, "message": text}`; HEAD gets the status only (and Content-Length: 0, see NO_CONTENT). */
export function errorResponse(c: Context, error: ConnectorError): Response {
  const headers = error.status === 503 ? RETRY_AFTER : error.status === 408 ? CLOSE : undefined;
  if (c.req.method === 'HEAD')
    return new Response(null, { status: error.status, headers: { ...headers, 'Content-Length': '0' } });
  return c.json({ error: error.code, message: error.message }, error.status as 400, headers);
}

/**
 * A whole HTTP/1.1 error answer for the server-level paths that have only the socket (unparsable
 * requests, CONNECT): same JSON body as every other error, and the connection closes after it.
 */
export function rawErrorResponse(error: ConnectorError): string {
  const body = errorBody(error);
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** `{"error": code, "message": text}` as text, for the answers written without hono. */
export function errorBody(error: ConnectorError): string {
  return JSON.stringify({ error: error.code, message: error.message });
}
