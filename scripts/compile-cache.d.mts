/** Fills `dir` with node's compile cache for `bundle`; throws when node wrote none. */
export function warmCompileCache(bundle: string, dir: string): void;
