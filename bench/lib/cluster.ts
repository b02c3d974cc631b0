import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { type ClusterState, embeddedClusterUrl } from '../../apps/server/src/db/embedded.ts';

/**
 * The running server's embedded cluster, reached the way the server reaches it (over its Unix socket when it has
 * one), so a reference measured next to the server pays the same transport.
 */
export function clusterUrl(dataDir: string): string {
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as ClusterState;
  return embeddedClusterUrl(dataDir, state);
}

/** A pool on the cluster. An idle connection ended by the server's shutdown must not end the bench before it reports. */
export function clusterPool(dataDir: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: clusterUrl(dataDir), max });
  pool.on('error', () => {});
  return pool;
}
