import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { socketDirectory, startEmbeddedCluster } from './embedded.ts';

describe('embedded cluster socket directory', () => {
  it('puts the socket in the cluster directory when its path fits a socket address', () => {
    expect(socketDirectory('/home/shop/huike/data/pg')).toBe('/home/shop/huike/data/pg');
    expect(socketDirectory('/srv/客服 系统/data/pg')).toBe('/srv/客服 系统/data/pg');
  });

  it('stays on TCP when the path is too long (counted in bytes) or cannot be written in the setting', () => {
    expect(socketDirectory(`/srv/${'a'.repeat(80)}/data/pg`)).toBeUndefined();
    expect(socketDirectory(`/srv/${'客'.repeat(30)}/data/pg`)).toBeUndefined();
    expect(socketDirectory('/srv/a,b/data/pg')).toBeUndefined();
    expect(socketDirectory('/srv/"quoted"/data/pg')).toBeUndefined();
  });
});

describe('embedded cluster ownership', () => {
  it("uses the cluster another live process started, and leaves it running when done (the server's database)", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huike-embedded-'));
    fs.chmodSync(dataDir, 0o755);
    const serverCluster = await startEmbeddedCluster(dataDir, () => {});
    // As if `huike serve` in another process had started it.
    const server = spawn('sleep', ['60']);
    fs.writeFileSync(path.join(dataDir, 'cluster.owner'), String(server.pid));
    try {
      const cli = await startEmbeddedCluster(dataDir, () => {});
      expect(cli.url).toBe(serverCluster.url);
      await cli.stop();
      const client = new pg.Client({ connectionString: serverCluster.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await client.end();
    } finally {
      server.kill();
      await serverCluster.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
