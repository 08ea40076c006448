import cron, { type ScheduledTask } from 'node-cron';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { EventStore } from '../store/event-store.ts';
import { InfluxError } from '../store/influx-store.ts';
import { monthStart, ServiceReports } from '../reports/service-report.ts';
import type { HubPresence } from '../store/presence.ts';
import { addDays, localDay } from '../trends/local-time.ts';
import type { ResidentRef, TrendService } from '../trends/trend-service.ts';

const DAY = 86_400_000;
/** How far back a monthly report is caught up after a long outage. */
const REPORT_CATCH_UP_MONTHS = 24;

/** The scheduled jobs, each a name, a cron expression (UTC) and what it does. */
export const JOB_SCHEDULES = {
  /** Hourly: residents' days end at different UTC times. */
  'daily-summary': '7 * * * *',
  'retention': '30 3 * * *',
  /** Daily: keeps last month's report once, when it is missing. */
  'service-report': '15 4 * * *',
} as const;
/** A scheduled job's name. */
export type JobName = keyof typeof JOB_SCHEDULES;

/** What a run did. */
export interface JobReport {
  summaries: number;
  retention: { hubs: number; cutoff: number; rejections?: number } | null;
  reports: number;
}

/** What the jobs need. */
export interface JobsOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  trends: TrendService;
  store: EventStore;
  presence: HubPresence;
  /** Raw events older than this many days are deleted (once their days are summarised). */
  retentionDays: number;
  /** Hubs' rejected messages older than this many days are deleted. Default 30. */
  rejectionRetentionDays?: number;
  /** Whether the store is InfluxDB, so the local SQLite events table is only the outbox's queue and is pruned too. */
  localQueue: boolean;
  /** The sensor time of the oldest event not yet in the store (InfluxDB outbox), or null; no day after it is summarised yet. */
  pendingSince?: () => Promise<number | null>;
  /** Schedule with node-cron in real time (off in tests, which call runDue in virtual time). Default true. */
  schedule?: boolean;
}

/**
 * Scheduled jobs: the daily summary per resident, retention of raw events, and
 * the monthly service report. Each works in periods (a resident's day, a UTC
 * day, an organisation's month) recorded in job_runs when done, so a run is
 * idempotent, a restart catches up every missed period, and nothing is counted
 * twice. node-cron only says "look now"; what is due is decided by the clock.
 */
export class Jobs {
  private tasks: ScheduledTask[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: JobsOptions) {}

  /** Schedule the jobs and catch up at once on what was missed while stopped. */
  start(): void {
    if (this.o.schedule !== false) {
      for (const [name, expr] of Object.entries(JOB_SCHEDULES)) {
        this.tasks.push(cron.schedule(expr, () => this.kick(), { name: `hearth-${name}`, timezone: 'Etc/UTC', noOverlap: true }));
      }
    }
    this.kick();
  }

  /** Stop scheduling and wait for a run in progress. */
  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
    await this.queue.catch(() => undefined);
  }

  private kick(): void {
    this.runDue().catch((err: unknown) => this.o.log.error({ err }, 'scheduled jobs failed'));
  }

  /** Run every job for every period that is due and not yet done. Calls never overlap: each runs after the one before. */
  runDue(): Promise<JobReport> {
    const run = this.queue.catch(() => undefined).then(async () => {
      const summaries = await this.runSummaries();
      const retention = await this.runRetention(summaries > 0);
      const reports = await this.runServiceReports();
      return { summaries, retention, reports };
    });
    this.queue = run;
    return run;
  }

  private async isDone(job: JobName, key: string, period: string): Promise<boolean> {
    return !!(await this.o.db.selectFrom('job_runs').select('period').where('job', '=', job).where('key', '=', key).where('period', '=', period).executeTakeFirst());
  }

  private async markDone(job: JobName, key: string, period: string, detail: unknown = {}): Promise<void> {
    await this.o.db
      .insertInto('job_runs')
      .values({ job, key, period, done_at: this.o.clock.now(), detail: JSON.stringify(detail) })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  private async lastDone(job: JobName): Promise<Map<string, string>> {
    const rows = await this.o.db
      .selectFrom('job_runs')
      .select(['key', (eb) => eb.fn.max('period').as('last')])
      .where('job', '=', job)
      .groupBy('key')
      .execute();
    return new Map(rows.map((r) => [r.key, String(r.last)]));
  }

  /**
   * The first day of a resident still to summarise: the day after the last one
   * done, or else the resident's first day, but not before the hub's first event
   * (a resident monitored for years before this job existed starts at the data).
   */
  private async nextDay(r: ResidentRef, last: string | undefined): Promise<string> {
    if (last) return addDays(last, 1);
    let d = this.o.trends.firstDay(r);
    const firstEvent = r.hubId ? await this.o.store.firstEventAt(r.hubId) : null;
    const eventDay = firstEvent === null ? this.o.trends.today(r) : localDay(r.timezone, firstEvent);
    if (eventDay > d) d = eventDay;
    return d;
  }

  /** Summarise every final day of every resident not yet summarised; how many days were summarised. */
  async runSummaries(): Promise<number> {
    const { trends, clock } = this.o;
    const done = await this.lastDone('daily-summary');
    const ids = await this.o.db.selectFrom('residents').select('id').where('hub_id', 'is not', null).execute();
    // Events still on their way to the store would be missing from a summary: wait for them.
    const barrier = (await this.o.pendingSince?.()) ?? Infinity;
    let n = 0;
    let failed = 0;
    for (const { id } of ids) {
      const r = await trends.resident(id);
      if (!r) continue;
      try {
        for (let day = await this.nextDay(r, done.get(id)); trends.finalAt(r, day) <= clock.now() && trends.windowEnd(r, day) <= barrier; day = addDays(day, 1)) {
          if (await this.isDone('daily-summary', id, day)) continue;
          await trends.storeDay(r, day);
          await this.markDone('daily-summary', id, day);
          n++;
        }
      } catch (err) {
        // The store is unreachable: this resident's days wait for the next run (nothing half-done is recorded).
        if (++failed === 1) this.o.log.warn({ err: (err as Error).message }, 'daily summaries postponed: event store unavailable');
      }
    }
    if (n) this.o.log.info({ days: n }, 'daily summaries written');
    return n;
  }

  /**
   * Delete raw events beyond the retention period: once a UTC day, and again
   * whenever new summaries may have released more (`force`). Per hub, never
   * past the first day of any of its residents still to be summarised.
   */
  async runRetention(force = false): Promise<JobReport['retention']> {
    const { db, clock, trends, store } = this.o;
    const now = clock.now();
    const period = new Date(now).toISOString().slice(0, 10);
    if (!force && (await this.isDone('retention', '*', period))) return null;
    const cutoff = now - this.o.retentionDays * DAY;
    const done = await this.lastDone('daily-summary');
    const hubs = await db.selectFrom('hubs').select('id').execute();
    let refused = 0;
    let unavailable = 0;
    for (const { id: hubId } of hubs) {
      let hubCutoff = cutoff;
      try {
        for (const { id } of await db.selectFrom('residents').select('id').where('hub_id', '=', hubId).execute()) {
          const r = await trends.resident(id);
          if (!r) continue;
          const next = await this.nextDay(r, done.get(id));
          hubCutoff = Math.min(hubCutoff, trends.windowStart(r, next));
        }
        await store.deleteBefore(hubCutoff, hubId);
      } catch (err) {
        if (err instanceof InfluxError && err.status !== 0) {
          // InfluxDB 2.x/3.x take no DELETE through the v1 API: there the bucket's own retention period applies.
          if (++refused === 1) this.o.log.warn({ err: err.message }, 'event store refused retention deletes; set the bucket retention period instead');
        } else {
          // Unreachable: leave this hub alone (its safe cutoff is unknown) and try again at the next run.
          if (++unavailable === 1) this.o.log.warn({ err: (err as Error).message }, 'retention postponed: event store unavailable');
          continue;
        }
      }
      if (this.o.localQueue) {
        // The local copy is InfluxDB's outbox queue: keep what is not yet forwarded.
        await db
          .deleteFrom('events')
          .where('hub_id', '=', hubId)
          .where('ts', '<', hubCutoff)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('store_outbox as o').select(sql`1`.as('one')).whereRef('o.hub_id', '=', 'events.hub_id').whereRef('o.event_id', '=', 'events.event_id'))),
          )
          .execute();
      }
    }
    await this.o.presence.deleteBefore(cutoff);
    const rejections = await this.pruneRejections(now);
    if (unavailable) return { hubs: hubs.length - unavailable, cutoff, rejections };
    await this.markDone('retention', '*', period, { cutoff, hubs: hubs.length, rejections });
    this.o.log.info({ cutoff: new Date(cutoff).toISOString(), hubs: hubs.length, rejections }, 'retention applied');
    return { hubs: hubs.length, cutoff, rejections };
  }

  /** Delete hubs' rejected messages older than their retention (raw payloads a hub sent, kept for diagnosis only); how many. */
  async pruneRejections(now = this.o.clock.now()): Promise<number> {
    const cutoff = now - (this.o.rejectionRetentionDays ?? 30) * DAY;
    const r = await this.o.db.deleteFrom('rejections').where('received_at', '<', cutoff).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0);
  }

  /**
   * Keep each neighbourhood's service report (server/src/reports) for every
   * complete local month not yet kept, as it stood when the month closed; how
   * many were written. A month is complete a day after it ends, in the
   * neighbourhood's time zone.
   */
  async runServiceReports(): Promise<number> {
    const { db, clock } = this.o;
    const reports = new ServiceReports(db, () => clock.now());
    let n = 0;
    const now = clock.now();
    for (const nb of await db.selectFrom('neighbourhoods').select(['id', 'org_id', 'timezone', 'created_at']).execute()) {
      const created = localDay(nb.timezone, nb.created_at);
      let [y, m] = [Number(created.slice(0, 4)), Number(created.slice(5, 7))];
      const today = localDay(nb.timezone, now);
      const floor = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - REPORT_CATCH_UP_MONTHS;
      if (y * 12 + m - 1 < floor) [y, m] = [Math.floor(floor / 12), (floor % 12) + 1];
      for (; monthStart(y, m + 1, nb.timezone) + DAY <= now; m === 12 ? ((y += 1), (m = 1)) : (m += 1)) {
        const month = `${y}-${String(m).padStart(2, '0')}`;
        if (await this.isDone('service-report', nb.id, month)) continue;
        const data = JSON.stringify(await reports.compute(nb.org_id, nb.id, month));
        await db
          .insertInto('service_reports')
          .values({ neighbourhood_id: nb.id, org_id: nb.org_id, month, data, created_at: now })
          .onConflict((oc) => oc.columns(['neighbourhood_id', 'month']).doUpdateSet({ data, created_at: now }))
          .execute();
        await this.markDone('service-report', nb.id, month);
        n++;
      }
    }
    if (n) this.o.log.info({ reports: n }, 'monthly service reports kept');
    return n;
  }
}
