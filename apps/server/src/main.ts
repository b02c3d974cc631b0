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
  if (role !== 'web') {
    timers.push(
      setInterval(() => {
        huike.services.conversations.wakeSnoozed().catch((error) => app.log.error({ err: error }, 'snooze sweep'));
        huike.realtime.pruneOldPayloads().catch((error) => app.log.error({ err: error }, 'payload prune'));
        huike.files.pruneExpired().catch((error) => app.log.error({ err: error }, 'file prune'));
      }, SNOOZE_SWEEP_MS),
    );
    timers.push(
      setInterval(() => {
        huike.services.automationEngine.sweep().catch((error) => app.log.error({ err: error }, 'automation sweep'));
      }, AUTOMATION_SWEEP_MS),
    );
    timers.push(
      setInterval(() => {
        huike.services.tickets.sweepSla().catch((error) => app.log.error({ err: error }, 'sla sweep'));
      }, SLA_SWEEP_MS),
    );
    huike.jobs.start();
    huike.startChannelWorkers();
    void huike.services.conversations
      .replayRecentInbound(new Date(Date.now() - REPLAY_WINDOW_MS))
      .catch((error) => app.log.error({ err: error }, 'inbound replay'));
    // Search columns are computed in JS (pinyin): rows written before search existed get them here, in batches.
    void backfillSearchColumns(database.db)
      .then((filled) => filled > 0 && app.log.info({ filled }, 'customer search columns filled'))
      .catch((error) => app.log.error({ err: error }, 'customer search backfill'));
    // Nightly RFM + lifecycle recompute: each check queues at most one job per workspace per night.
    const queueNightly = () =>
      enqueueNightlyRecomputes(database.db, huike.jobs).catch((error) =>
        app.log.error({ err: error }, 'nightly value recompute'),
      );
    void queueNightly();
    timers.push(setInterval(queueNightly, NIGHTLY_CHECK_MS));
    const sweepRollups = () =>
      huike.services.analytics.sweepRollups().catch((error) => app.log.error({ err: error }, 'reporting rollups'));
    void sweepRollups();
    timers.push(setInterval(sweepRollups, ROLLUP_SWEEP_MS));
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
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { ...huike, database, port, stop };
}
