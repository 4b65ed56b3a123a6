/**
 * A complete request body: in memory up to a threshold (4 MiB by default), then spilled to a temp
 * file so a large body never sits in the heap. Always disposed by the caller (the file removed).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { WriteBody } from './connector.js';

export interface SpoolOptions {
  /** Bodies up to this many bytes stay in memory. */
  memoryBytes: number;
  /** Where spilled bodies go; the OS temp dir by default. */
  dir?: string | undefined;
}

export class Spool implements WriteBody {
  private constructor(
    readonly length: number,
    private readonly chunks: Buffer[] | undefined,
    readonly path: string | undefined,
  ) {}

  /**
   * Reads `source` to its end. If reading fails, nothing is left behind and the error is rethrown.
   * `declaredLength` (Content-Length) lets a body that fits in memory be copied once into one
   * buffer of the right size, instead of collected and concatenated.
   */
  static async fromStream(
    source: AsyncIterable<Buffer | string>,
    options: SpoolOptions,
    declaredLength?: number,
  ): Promise<Spool> {
    if (declaredLength !== undefined && declaredLength <= options.memoryBytes) {
      return Spool.#intoOneBuffer(source, declaredLength);
    }
    const chunks: Buffer[] = [];
    let length = 0;
    let file: FileHandle | undefined;
    let path: string | undefined;
    try {
      for await (const raw of source) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        length += chunk.length;
        if (file) {
          await file.write(chunk);
        } else if (length > options.memoryBytes) {
          path = join(options.dir ?? tmpdir(), `state-proxy-spool-${randomBytes(8).toString('hex')}`);
          file = await open(path, 'wx', 0o600);
          for (const held of chunks) await file.write(held);
          await file.write(chunk);
          chunks.length = 0;
        } else {
          chunks.push(chunk);
        }
      }
      await file?.close();
      return new Spool(length, path ? undefined : chunks, path);
    } catch (error) {
      await file?.close().catch(() => {});
      if (path) await rm(path, { force: true });
      throw error;
    }
  }

  static async #intoOneBuffer(source: AsyncIterable<Buffer | string>, length: number): Promise<Spool> {
    const whole = Buffer.allocUnsafe(length);
    let filled = 0;
    for await (const raw of source) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
      if (filled + chunk.length > length) throw new Error(`body is longer than its declared ${length} bytes`);
      chunk.copy(whole, filled);
      filled += chunk.length;
    }
    if (filled !== length) throw new Error(`body ended after ${filled} of its declared ${length} bytes`);
    return new Spool(length, [whole], undefined);
  }

  get inMemory(): boolean {
    return this.path === undefined;
  }

  stream(): Readable {
    return this.path ? createReadStream(this.path) : Readable.from(this.chunks ?? [], { objectMode: false });
  }

  async buffer(): Promise<Buffer> {
    if (this.path) return readFile(this.path);
    const chunks = this.chunks ?? [];
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.length);
  }

  async dispose(): Promise<void> {
    if (this.path) await rm(this.path, { force: true });
  }
}
