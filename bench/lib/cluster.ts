import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * How a bench reaches the server's embedded cluster: the way the server does (over the cluster's Unix socket when it
 * has one; apps/server/src/db/embedded.ts), so a reference measured next to the server pays the same transport.
 */
export function clusterConnection(dataDir: string) {
  const { port, password } = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as {
    port: number;
    password: string;
  };
  const socketDir = path.join(dataDir, 'pg');
  const host = fs.existsSync(path.join(socketDir, `.s.PGSQL.${port}`)) ? socketDir : '127.0.0.1';
  return { host, port, user: 'huike', password, database: 'huike' };
}

export function clusterUrl(dataDir: string): string {
  const { host, port, password } = clusterConnection(dataDir);
  const overSocket = host.startsWith('/') ? `?host=${encodeURIComponent(host)}` : '';
  return `postgres://huike:${encodeURIComponent(password)}@127.0.0.1:${port}/huike${overSocket}`;
}

/** A pool on the cluster. An idle connection ended by the server's shutdown must not end the bench before it reports. */
export function clusterPool(dataDir: string, max: number): pg.Pool {
  const pool = new pg.Pool({ ...clusterConnection(dataDir), max });
  pool.on('error', () => {});
  return pool;
}
