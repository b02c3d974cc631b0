import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A heavy dependency (spreadsheets, PDF, mail) loaded on first use instead of at start: most servers never
 * export a file or connect a mailbox, and each of these costs several to 25 MB of resident memory.
 */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(name) as T;
    return loaded;
  };
}
