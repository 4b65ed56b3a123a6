import { describe, expect, it } from 'vitest';
import { encodeCommand, parseReplies, RespError } from './resp.js';

describe('encodeCommand', () => {
  it('writes an array of bulk strings, lengths in bytes', () => {
    expect(encodeCommand(['SET', 'k', 'é']).toString()).toBe('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n');
  });
});

describe('parseReplies', () => {
  it('reads every reply type, nested arrays included', () => {
    const wire = '+OK\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n*2\r\n$1\r\na\r\n:1\r\n*0\r\n';
    expect(parseReplies(Buffer.from(wire))).toEqual(['OK', 42, 'hello', null, [['a', 1], []]]);
  });

  it('turns an error reply into a RespError', () => {
    const [reply] = parseReplies(Buffer.from('-ERR unknown command\r\n'));
    expect(reply).toBeInstanceOf(RespError);
    expect((reply as RespError).message).toBe('ERR unknown command');
  });

  it('returns only complete replies while data is still arriving', () => {
    expect(parseReplies(Buffer.from('+OK\r\n$10\r\nhalf'))).toEqual(['OK']);
    expect(parseReplies(Buffer.from('*2\r\n$1\r\na\r\n'))).toEqual([]);
    expect(parseReplies(Buffer.from('+OK'))).toEqual([]);
  });

  it('refuses bytes that are no reply', () => {
    expect(() => parseReplies(Buffer.from('HTTP/1.1 400\r\n'))).toThrow(/not a RESP reply/);
  });
});
