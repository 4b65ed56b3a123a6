/**
 * The raw request target. The runtime sends keys raw in the path, and URL parsing would rewrite
 * them (`a/../b` becomes `b`, `#` starts a fragment, a backslash is refused), so keys are always
 * parsed from the target exactly as received, and hono routes on its shape only.
 */
import type { IncomingMessage } from 'node:http';

const rawTargets = new WeakMap<IncomingMessage, string>();

/** Remembers the raw target and rewrites `req.url` to the route it has (see routeShapeOf). */
export function captureRawTarget(req: IncomingMessage): void {
  const raw = req.url ?? '/';
  rawTargets.set(req, raw);
  req.url = routeShapeOf(raw);
}

export function rawTargetOf(req: IncomingMessage): string {
  return rawTargets.get(req) ?? req.url ?? '/';
}

/**
 * `/keys` and `/keys/` (listing, mount root) → `/keys/`; `/keys/<anything>` → `/keys/_`;
 * `/meta/<anything>` → `/meta/_`; other simple paths stay; anything else → `/_` (404).
 */
export function routeShapeOf(target: string): string {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  if (path === '/keys' || path === '/keys/') return '/keys/';
  if (path.startsWith('/keys/')) return '/keys/_';
  if (path === '/meta' || path.startsWith('/meta/')) return '/meta/_';
  return /^\/[A-Za-z0-9_-]*$/.test(path) ? path : '/_';
}

/** The name of the operation a request performs, for metrics and logs. */
export function operationOf(method: string, routeShape: string): string {
  switch (routeShape) {
    case '/keys/':
      return method === 'HEAD' ? 'stat' : 'list';
    case '/keys/_':
      return (
        ({ GET: 'read', PUT: 'write', HEAD: 'stat', DELETE: 'delete' } as Record<string, string | undefined>)[
          method
        ] ?? 'other'
      );
    case '/meta/_':
      return method === 'PUT' ? 'set_attribute' : 'get_attribute';
    case '/healthz':
    case '/readyz':
    case '/metrics':
      return routeShape.slice(1);
    default:
      return 'other';
  }
}
