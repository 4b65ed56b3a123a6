/** What every package's vitest config shares. */
export const sharedTestOptions = {
  // Workspace packages export their TypeScript sources, so where an import resolves to changes
  // with a package.json; vitest's file-system module cache keys a transformed file by its own
  // content only, and would keep an import resolved to a module that is no longer there.
  fsModuleCache: false,
} as const;
