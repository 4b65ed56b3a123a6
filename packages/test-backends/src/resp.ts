// The Redis protocol (RESP2), as much as the harness needs to send commands and read their replies.

/** A reply: simple and bulk strings, integers, null, nested arrays. Error replies become errors. */
export type RespReply = string | number | null | RespReply[];

export class RespError extends Error {}

/** `*<n>\r\n` then `$<len>\r\n<arg>\r\n` per argument. */
export function encodeCommand(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/** A parsed reply and where the next one starts, or undefined while the reply is incomplete. */
type Parsed = { reply: RespReply | RespError; next: number } | undefined;

function parseAt(buffer: Buffer, start: number): Parsed {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd < 0) return undefined;
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (String.fromCharCode(buffer[start]!)) {
    case '+':
      return { reply: line, next: afterLine };
    case '-':
      return { reply: new RespError(line), next: afterLine };
    case ':':
      return { reply: Number(line), next: afterLine };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, next: afterLine };
      if (buffer.length < afterLine + length + 2) return undefined;
      return { reply: buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buffer, next);
        if (!item) return undefined;
        // An error inside an array (EXEC) is kept as its message: the harness sends no such command.
        items.push(item.reply instanceof RespError ? item.reply.message : item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(buffer.toString('utf8', start, lineEnd))}`);
  }
}

/** The complete replies at the start of `buffer`, in order (fewer than all while data is missing). */
export function parseReplies(buffer: Buffer): Array<RespReply | RespError> {
  const replies: Array<RespReply | RespError> = [];
  for (let next = 0, parsed = parseAt(buffer, next); parsed; parsed = parseAt(buffer, next)) {
    replies.push(parsed.reply);
    next = parsed.next;
  }
  return replies;
}
