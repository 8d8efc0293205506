import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyOf } from '../src/alerts/decide.ts';
import { addAlertRule } from '../src/alerts/manage.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { insertAlert } from '../src/db/queries/alerts.ts';
import { openJobQueue, type JobQueue } from '../src/pipeline/queue.ts';
import { startAlertReceiver, type AlertReceiver } from './support/alert-receiver.ts';
import { createServerDatabase, type TestServerDatabase } from './support/databases.ts';
import { insertTestEntity, insertTestMention } from './support/mentions.ts';
import { readJobStates, startWorker, waitFor, type WorkerProcess } from './support/workers.ts';

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const SECRET = 'workers-receiver-secret-0123';
const ALERTS = 30;

describe('alert delivery by two worker processes on a PostgreSQL server', { timeout: 300_000 }, () => {
  let server: TestServerDatabase;
  let database: Database;
  let queue: JobQueue;
  let receiver: AlertReceiver;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await createServerDatabase('alerts');
    database = await openDatabase({ databaseUrl: server.url, dataDir: 'unused' });
    await migrate(database.db);
    await insertTestEntity(database.db, 'alpha');
    receiver = await startAlertReceiver(SECRET);
    queue = await openJobQueue({ databaseUrl: server.url, log: quiet, supervise: false });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => (w.child.exitCode === null && w.child.signalCode === null ? w.stop('SIGKILL') : undefined)));
    await queue?.stop();
    await receiver?.close();
    await database?.close();
    await server?.drop();
  });

  it('deliver every queued alert exactly once, through the alerts.deliver job', async () => {
    const { rule } = await addAlertRule(database.db, { kind: 'mention', entity: 'alpha', channel: receiver.url, secret: SECRET });
    const keys: string[] = [];
    for (let i = 0; i < ALERTS; i++) {
      const eventKey = `mention:${i}`;
      const key = idempotencyKeyOf(rule.id, eventKey);
      keys.push(key);
      await insertAlert(database.db, {
        ruleId: rule.id,
        eventKey,
        status: 'queued',
        reason: null,
        idempotencyKey: key,
        firedAt: new Date(),
        message: {
          id: key,
          rule: { id: rule.id, kind: 'mention', name: rule.name },
          entity: { slug: 'alpha', name: 'alpha' },
          headline: `alert ${i}`,
          summary: '',
          figures: [],
          posts: [],
          dashboardUrl: 'http://dash.test/entity/alpha',
          firedAt: new Date().toISOString(),
        },
      });
    }
    receiver.fallback = { status: 200, delayMs: 40 };
    for (let i = 0; i < 4; i++) await queue.enqueue('alerts.deliver', {});
    const env = { DATABASE_URL: server.url };
    workers.push(
      ...(await Promise.all(
        [0, 1].map(() => startWorker(['--queues', 'alerts.deliver', '--batch-size', '2', '--poll-seconds', '1'], env)),
      )),
    );

    const delivered = async () =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_outbox WHERE status = 'delivered'`.execute(database.db)).rows[0]!.n;
    await waitFor(async () => (await delivered()) === ALERTS, 180_000, 'every alert delivered');
    await waitFor(async () => (await readJobStates(database.db, 'alerts.deliver')).completed === 4, 60_000, 'every job completed');
    expect(await Promise.all(workers.map((w) => w.stop('SIGTERM')))).toEqual([0, 0]);

    const sent = receiver.received.map((r) => String(r.headers['x-vibecheck-delivery']));
    expect(sent.sort()).toEqual([...keys].sort());
    expect(receiver.received.every((r) => r.signatureValid)).toBe(true);
    const attempts = await sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_deliveries WHERE outcome = 'delivered'`.execute(
      database.db,
    );
    expect(attempts.rows[0]!.n).toBe(ALERTS);
  });

  it('judge the rules and send what fired through the alerts.evaluate job', async () => {
    receiver.received.length = 0;
    receiver.fallback = { status: 200 };
    const entityId = (await sql<{ id: number }>`SELECT id FROM entities WHERE slug = 'alpha'`.execute(database.db)).rows[0]!.id;
    const { rule } = await addAlertRule(database.db, {
      kind: 'mention',
      entity: 'alpha',
      channel: receiver.url,
      secret: SECRET,
      include: ['outage'],
    });
    const at = new Date(Date.now() - 60_000).toISOString();
    await insertTestMention(database.db, entityId, { at, score: -0.6, label: 'negative', title: 'alpha outage again' });
    await insertTestMention(database.db, entityId, { at, score: 0.6, label: 'positive', title: 'alpha is lovely' });
    await queue.enqueue('alerts.evaluate', {});
    const worker = await startWorker(['--queues', 'alerts.evaluate', '--poll-seconds', '1'], { DATABASE_URL: server.url });
    workers.push(worker);
    await waitFor(
      async () => (await readJobStates(database.db, 'alerts.evaluate')).completed === 1,
      120_000,
      'the evaluation job completed',
    );
    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(receiver.received.map((r) => JSON.parse(r.body) as { rule: { id: number }; headline: string })).toEqual([
      expect.objectContaining({ rule: expect.objectContaining({ id: rule.id }), headline: 'alpha on hn: alpha outage again' }),
    ]);
  });
});
