/** Sending exact bytes over the socket, for requests a well-behaved client would never send. */
import { connect } from 'node:net';
import type { ClientResponse } from './client.js';

export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

/** Writes `request` as is and reads until the server closes the connection. */
export function rawRequest(socketPath: string, request: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponse(chunks)));
    socket.write(request);
  });
}

/**
 * Writes `head`, then `pieces` one every `everyMs`, as a client trickling its body would, until
 * the server answers; reads until the server closes the connection (send `Connection: close`).
 */
export function trickledRequest(
  socketPath: string,
  head: string,
  pieces: readonly string[],
  everyMs: number,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let closed = false;
    socket.on('data', (chunk) => chunks.push(chunk));
    // Writing on after the server answered and closed fails; the answer is what counts.
    socket.on('error', (error) => {
      if (chunks.length === 0) reject(error);
    });
    socket.on('close', () => {
      closed = true;
      resolve(parseResponse(chunks));
    });
    socket.write(head);
    (async () => {
      for (const piece of pieces) {
        await new Promise((wait) => setTimeout(wait, everyMs));
        // After a poll phase: an answer that arrived meanwhile is read before the next write,
        // which would fail (EPIPE) and destroy the socket with the answer unread.
        await new Promise((wait) => setImmediate(wait));
        if (closed || chunks.length > 0) return;
        socket.write(piece);
      }
    })().catch(reject);
  });
}

function parseResponse(chunks: Buffer[]): RawResponse {
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    head,
    body: end === -1 ? '' : text.slice(end + 4),
  };
}

/** The answer as ConnectorClient would have it (header names in lower case), for the same assertions. */
export function asClientResponse(raw: RawResponse): ClientResponse {
  const headers: Record<string, string> = {};
  for (const line of raw.head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: raw.status, headers, body: Buffer.from(raw.body) };
}

/** A PUT that sends part of its declared body and then disconnects. */
export function abandonedUpload(
  socketPath: string,
  path: string,
  declared: number,
  sent: Buffer,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => {
      socket.write(`PUT ${path} HTTP/1.1\r\nHost: connector\r\nContent-Length: ${declared}\r\n\r\n`);
      socket.write(sent, () => socket.destroy());
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}
