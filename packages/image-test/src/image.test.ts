import { describe, expect, it } from 'vitest';
import { parseLdd } from './image.js';

describe('parseLdd', () => {
  it('lists the libraries and the dynamic loader, not the vDSO', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd1a5f2000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0e1c600000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0e1c41e000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e1c9d4000)',
    ].join('\n');
    expect(parseLdd(output)).toEqual([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('fails when a library is missing', () => {
    expect(() => parseLdd('\tlibfoo.so.1 => not found\n')).toThrow('libfoo.so.1 => not found');
  });
});
