import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/database.ts';
import { seedDemoWorkspace } from './db/demo-seed.ts';
import { backfillSearchColumns } from './modules/customers/index.ts';
import { enqueueNightlyRecomputes } from './modules/orders/index.ts';

const SNOOZE_SWEEP_MS = 30_000;
const NIGHTLY_CHECK_MS = 10 * 60_000;
/** Reporting rollups: past days without rollups (a new day, a late fact) are built within this interval. */
const ROLLUP_SWEEP_MS = 5 * 60_000;
/** Automation timers: "no reply for X minutes" and scheduled rules (minute resolution). */
const AUTOMATION_SWEEP_MS = 60_000;
/** SLA breach checks (tickets): an index range scan per clock, safe on several workers. */
const SLA_SWEEP_MS = 30_000;
/** How far back a starting worker re-runs automation on inbound messages a stopped process may have left unhandled. */
const REPLAY_WINDOW_MS = 5 * 60_000;

/** loadConfig → openDatabase → buildApp → listen. Stops cleanly (and stops the embedded cluster) on SIGINT/SIGTERM. */
export async function startServer(config: Config, role: 'web' | 'worker' | 'all' = 'all') {
  const database = await openDatabase(config, () => {});
  const huike = await buildApp({ config, database });
  const { app } = huike;

  if (config.seedDemo && (await huike.services.workspaces.needsSetup())) {
    const login = await seedDemoWorkspace(huike, database);
    process.stdout.write(
      `\n  演示工作区已创建 Demo workspace created\n  登录 Login: ${login.email}\n  密码 Password: ${login.password}\n  (只显示这一次 shown once)\n\n`,
    );
  }

  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  /** Background work, its failure logged under `name`; a stop waits for what is running before closing the pool. */
  const run = (name: string, work: () => Promise<unknown>) => {
    const done: Promise<void> = work()
      .then(
        () => undefined,
        (error) => app.log.error({ err: error }, name),
      )
      .finally(() => running.delete(done));
    running.add(done);
  };
  const every = (ms: number, tick: () => void) => {
    timers.push(setInterval(tick, ms));
  };
  if (role !== 'web') {
    every(SNOOZE_SWEEP_MS, () => {
      run('snooze sweep', () => huike.services.conversations.wakeSnoozed());
      run('payload prune', () => huike.realtime.pruneOldPayloads());
      run('file prune', () => huike.files.pruneExpired());
    });
    every(AUTOMATION_SWEEP_MS, () => run('automation sweep', () => huike.services.automationEngine.sweep()));
    every(SLA_SWEEP_MS, () => run('sla sweep', () => huike.services.tickets.sweepSla()));
    huike.jobs.start();
    huike.startChannelWorkers();
    run('inbound replay', () =>
      huike.services.conversations.replayRecentInbound(new Date(Date.now() - REPLAY_WINDOW_MS)),
    );
    // Search columns are computed in JS (pinyin): rows written before search existed get them here, in batches.
    run('customer search backfill', async () => {
      const filled = await backfillSearchColumns(database.db);
      if (filled > 0) app.log.info({ filled }, 'customer search columns filled');
    });
    // Nightly RFM + lifecycle recompute: each check queues at most one job per workspace per night.
    const queueNightly = () => run('nightly value recompute', () => enqueueNightlyRecomputes(database.db, huike.jobs));
    queueNightly();
    every(NIGHTLY_CHECK_MS, queueNightly);
    const sweepRollups = () => run('reporting rollups', () => huike.services.analytics.sweepRollups());
    sweepRollups();
    every(ROLLUP_SWEEP_MS, sweepRollups);
  }

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(`Huike 已启动: http://localhost:${port}\n`);

  let isStopping = false;
  const stop = async () => {
    if (isStopping) return;
    isStopping = true;
    for (const timer of timers) clearInterval(timer);
    // The app (HTTP, jobs, channel workers, realtime) and this process's background work first, then the pool, then
    // the embedded PostgreSQL (db/embedded.ts): nothing is left to query a database that is going away.
    await app.close();
    await Promise.all(running);
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { ...huike, database, port, stop };
}
