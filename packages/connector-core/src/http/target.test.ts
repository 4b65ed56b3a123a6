import { describe, expect, it } from 'vitest';
import { operationOf, routeShapeOf } from './target.js';

describe('routeShapeOf', () => {
  it.each([
    ['/keys', '/keys/'],
    ['/keys/', '/keys/'],
    ['/keys?prefix=a', '/keys/'],
    ['/keys/?prefix=a/', '/keys/'],
    ['/keys/a/b.json', '/keys/_'],
    ['/keys/../metrics', '/keys/_'],
    ['/keys/a\\b#c', '/keys/_'],
    ['/meta/a?attr=ttl', '/meta/_'],
    ['/meta/', '/meta/_'],
    ['/healthz', '/healthz'],
    ['/metrics?x', '/metrics'],
    ['/a/../metrics', '/_'],
    ['/keysx', '/keysx'],
  ])('%s routes as %s', (target, shape) => {
    expect(routeShapeOf(target)).toBe(shape);
  });
});

describe('operationOf', () => {
  it('names each protocol operation', () => {
    expect(operationOf('GET', '/keys/_')).toBe('read');
    expect(operationOf('PUT', '/keys/_')).toBe('write');
    expect(operationOf('HEAD', '/keys/_')).toBe('stat');
    expect(operationOf('DELETE', '/keys/_')).toBe('delete');
    expect(operationOf('GET', '/keys/')).toBe('list');
    expect(operationOf('PUT', '/meta/_')).toBe('set_attribute');
    expect(operationOf('GET', '/readyz')).toBe('readyz');
    expect(operationOf('POST', '/keys/_')).toBe('other');
  });
});
