import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { VERSION_ENTRY_OVERHEAD_BYTES, VersionMemory, withCompareAndSet } from './compare-and-set.js';
import type { Connector, WriteBody, WriteCondition } from './connector.js';
import { ConflictError, KeyNotFoundError, UnavailableError } from './errors.js';

const body = (text: string): WriteBody => ({
  length: text.length,
  stream: () => Readable.from([Buffer.from(text)]),
  buffer: async () => Buffer.from(text),
});

/** A connector that records the condition of each write and answers as scripted. */
function recordingConnector() {
  const conditions: Array<WriteCondition | undefined> = [];
  let nextWrite: () => Promise<{ etag: string }> = async () => ({ etag: `v${conditions.length}` });
  let nextRead: () => Promise<{ etag: string }> = async () => ({ etag: 'read-etag' });
  const inner: Connector = {
    read: async () => ({ body: Buffer.from('x'), length: 1, ...(await nextRead()) }),
    stat: async () => undefined,
    write: async (_key, _body, condition) => {
      conditions.push(condition);
      return nextWrite();
    },
    delete: async () => {},
    list: async () => ({ keys: [], prefixes: [] }),
    listAttributes: async () => [],
    getAttribute: async () => '',
    setAttribute: async () => ({ etag: 'after-attribute' }),
    checkReady: async () => {},
    close: async () => {},
  };
  return {
    inner,
    conditions,
    failNextWrite: (error: Error) => {
      const previous = nextWrite;
      nextWrite = async () => {
        nextWrite = previous;
        throw error;
      };
    },
    readMissing: () => {
      nextRead = async () => {
        throw new KeyNotFoundError('k');
      };
    },
  };
}

describe('withCompareAndSet', () => {
  it('writes a key never read unconditionally', async () => {
    const { inner, conditions } = recordingConnector();
    await withCompareAndSet(inner, 10_000).write('k', body('1'));
    expect(conditions).toEqual([undefined]);
  });

  it('makes a write after a read conditional on the version read', async () => {
    const { inner, conditions } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    await cas.write('k', body('1'));
    expect(conditions).toEqual([{ kind: 'match', etag: 'read-etag' }]);
  });

  it('makes a write after a 404 read an exclusive create', async () => {
    const { inner, conditions, readMissing } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    readMissing();
    await expect(cas.read('k')).rejects.toBeInstanceOf(KeyNotFoundError);
    await cas.write('k', body('1'));
    expect(conditions).toEqual([{ kind: 'absent' }]);
  });

  it('remembers the version of its own successful write', async () => {
    const { inner, conditions } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    await cas.write('k', body('1')); // answers etag v1
    await cas.write('k', body('2'));
    expect(conditions[1]).toEqual({ kind: 'match', etag: 'v1' });
  });

  it('forgets a key after a conflict, so the retry after a re-read uses the new version', async () => {
    const { inner, conditions, failNextWrite } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    failNextWrite(new ConflictError('k'));
    await expect(cas.write('k', body('1'))).rejects.toBeInstanceOf(ConflictError);
    await cas.write('k', body('2'));
    expect(conditions).toEqual([{ kind: 'match', etag: 'read-etag' }, undefined]);
  });

  it('forgets a key after any failed write and after a delete', async () => {
    const { inner, conditions, failNextWrite } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('a');
    failNextWrite(new UnavailableError('down'));
    await expect(cas.write('a', body('1'))).rejects.toBeInstanceOf(UnavailableError);
    await cas.read('b');
    await cas.delete('b');
    await cas.write('a', body('1'));
    await cas.write('b', body('1'));
    expect(conditions.slice(1)).toEqual([undefined, undefined]);
  });

  it('lets an explicit condition from the client win over the memory', async () => {
    const { inner, conditions } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    await cas.write('k', body('1'), { kind: 'match', etag: 'client-etag' });
    await cas.write('other', body('1'), { kind: 'absent' });
    expect(conditions).toEqual([{ kind: 'match', etag: 'client-etag' }, { kind: 'absent' }]);
  });

  it('hands the remembered version to an attribute write, and forgets the key when it conflicts', async () => {
    const { inner } = recordingConnector();
    const seen: unknown[] = [];
    let conflict = true;
    inner.setAttribute = async (_key, _name, _value, condition) => {
      seen.push(condition);
      if (conflict) throw new ConflictError('k');
      return {};
    };
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    await expect(cas.setAttribute!('k', 'content_type', 'x')).rejects.toBeInstanceOf(ConflictError);
    conflict = false;
    await cas.setAttribute!('k', 'content_type', 'x');
    expect(seen).toEqual([{ kind: 'match', etag: 'read-etag' }, undefined]);
  });

  it('remembers the new version made by an attribute write', async () => {
    const { inner, conditions } = recordingConnector();
    const cas = withCompareAndSet(inner, 10_000);
    await cas.read('k');
    await cas.setAttribute!('k', 'content_type', 'text/plain');
    await cas.write('k', body('1'));
    expect(conditions).toEqual([{ kind: 'match', etag: 'after-attribute' }]);
  });
});

describe('VersionMemory', () => {
  it('is bounded: the least recently used key is forgotten first', () => {
    const memory = new VersionMemory(2 * (VERSION_ENTRY_OVERHEAD_BYTES + 2)); // two of these
    memory.rememberVersion('a', '1');
    memory.rememberVersion('b', '2');
    memory.conditionFor('a'); // a is now the most recently used
    memory.rememberAbsent('c');
    expect(memory.size).toBe(2);
    expect(memory.conditionFor('b')).toBeUndefined();
    expect(memory.conditionFor('a')).toEqual({ kind: 'match', etag: '1' });
    expect(memory.conditionFor('c')).toEqual({ kind: 'absent' });
  });

  it('is bounded in bytes: long keys take more room than short ones', () => {
    const memory = new VersionMemory(10 * 1024);
    for (let i = 0; i < 1000; i++) memory.rememberAbsent(`${i}`.padEnd(1000, 'x'));
    expect(memory.size).toBe(Math.floor((10 * 1024) / (VERSION_ENTRY_OVERHEAD_BYTES + 1000)));
    expect(memory.conditionFor(`${999}`.padEnd(1000, 'x'))).toEqual({ kind: 'absent' });
  });
});
