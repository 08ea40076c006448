import type { SensorType } from '../../../protocol/index.ts';
import type { StoredEvent } from '../events.ts';
import { byTimeThenId, type BucketCount, type EventStore, type RangeQuery } from './event-store.ts';

/** Where an InfluxDB server is and which database holds the events. */
export interface InfluxOptions {
  /** Base URL of the v1-compatible HTTP API, e.g. http://127.0.0.1:8086. */
  url: string;
  /** Database (bucket, for 2.x/3.x through their v1 mapping). */
  database: string;
  /** Points per write request. Default 5000. */
  batchSize?: number;
  /** Per-request timeout in ms. Default 10 s. */
  timeoutMs?: number;
  /** Sent as `Authorization: Token ...` when set (2.x/3.x). Never logged. */
  token?: string;
  /** InfluxDB 1.x credentials (HTTP basic auth) when auth is enabled there; never logged. */
  user?: string;
  /** See user. */
  password?: string;
}

/** An answer from InfluxDB other than success; `permanent` when retrying the same request cannot help. */
export class InfluxError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

const MEASUREMENT = 'events';

function escapeTag(v: string): string {
  return v.replace(/[,= ]/g, (c) => `\\${c}`);
}

function escapeField(v: string): string {
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function quoteLiteral(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/**
 * Nanoseconds within the event's millisecond, from a hash of its id: InfluxDB
 * keys a point by series and time, so a re-sent event lands on the same point
 * (idempotent overwrite) while two events in the same millisecond do not collide.
 */
function nanoOffset(id: string): bigint {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return BigInt(h % 1_000_000);
}

/** One event as a line of InfluxDB line protocol (nanosecond precision). */
export function toLine(e: StoredEvent): string {
  const fields = [
    `id=${escapeField(JSON.stringify(e.id))}`,
    `value=${escapeField(JSON.stringify(e.value))}`,
    `late=${e.late ? 't' : 'f'}`,
    `received=${Math.trunc(e.receivedAt)}i`,
  ];
  if (e.battery !== null) fields.push(`battery=${Number(e.battery)}`);
  if (typeof e.value === 'number') fields.push(`num=${e.value}`);
  const ns = BigInt(Math.trunc(e.ts)) * 1_000_000n + nanoOffset(e.id);
  return `${MEASUREMENT},hub=${escapeTag(e.hubId)},sensor=${escapeTag(e.sensor)},type=${escapeTag(e.type)} ${fields.join(',')} ${ns}`;
}

interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/**
 * The event store in InfluxDB, through the v1-compatible HTTP API that 1.x,
 * 2.x and 3.x all serve: line-protocol writes in batches (/write) and InfluxQL
 * reads (/query). Tags: hub, sensor, type; fields: id, value (JSON), late,
 * received, battery, num (numeric values, for dashboards such as Grafana).
 */
export class InfluxStore implements EventStore {
  readonly kind = 'influx' as const;
  private readonly base: string;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private ready: Promise<void> | null = null;

  constructor(private readonly options: InfluxOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.batchSize = options.batchSize ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    if (this.options.token) return { ...extra, authorization: `Token ${this.options.token}` };
    if (this.options.user) return { ...extra, authorization: `Basic ${Buffer.from(`${this.options.user}:${this.options.password ?? ''}`).toString('base64')}` };
    return extra;
  }

  private async request(path: string, body: string, contentType: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method: 'POST',
        headers: this.headers({ 'content-type': contentType }),
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new InfluxError(`InfluxDB unreachable at ${this.base}: ${(err as Error).message}`, 0, false);
    }
    if (res.ok) return res;
    const text = (await res.text().catch(() => '')).slice(0, 500);
    // 4xx is the request's fault (bad points), except "database not found", auth and rate limits, which can clear.
    const permanent = res.status >= 400 && res.status < 500 && ![401, 403, 404, 408, 429].includes(res.status);
    throw new InfluxError(`InfluxDB answered ${res.status}: ${text}`, res.status, permanent);
  }

  /**
   * Create the database if missing (idempotent); done once before the first
   * request. InfluxDB 2.x and 3.x refuse CREATE DATABASE on the v1 API (their
   * bucket and its v1 mapping are made beforehand), so a refusal from a server
   * that answered is taken as "it exists"; only an unreachable server is retried.
   */
  ensureDatabase(): Promise<void> {
    this.ready ??= this.request('/query', new URLSearchParams({ q: `CREATE DATABASE "${this.options.database.replace(/"/g, '')}"` }).toString(), 'application/x-www-form-urlencoded')
      .then(() => undefined)
      .catch((err: unknown) => {
        // 403: a user with rights on an existing database only (InfluxDB 1.x with auth), not wrong credentials (401).
        if (err instanceof InfluxError && err.status !== 0 && err.status !== 401) return;
        this.ready = null;
        throw err;
      });
    return this.ready;
  }

  /** Run one InfluxQL statement; its series. */
  async query(q: string): Promise<InfluxSeries[]> {
    await this.ensureDatabase();
    const res = await this.request(
      '/query',
      new URLSearchParams({ db: this.options.database, epoch: 'ms', q }).toString(),
      'application/x-www-form-urlencoded',
    );
    const json = (await res.json()) as { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string };
    if (json.error) throw new InfluxError(`InfluxQL error: ${json.error}`, 400, true);
    const r = json.results?.[0];
    if (r?.error) throw new InfluxError(`InfluxQL error: ${r.error}`, 400, true);
    return r?.series ?? [];
  }

  async append(events: readonly StoredEvent[]): Promise<void> {
    if (!events.length) return;
    await this.ensureDatabase();
    for (let i = 0; i < events.length; i += this.batchSize) {
      const body = events.slice(i, i + this.batchSize).map(toLine).join('\n');
      await this.request(`/write?${new URLSearchParams({ db: this.options.database, precision: 'ns' })}`, body, 'text/plain; charset=utf-8');
    }
  }

  private where(q: RangeQuery): string {
    const parts = [`"hub"=${quoteLiteral(q.hubId)}`, `time >= ${Math.trunc(q.from)}ms`, `time < ${Math.trunc(q.to)}ms`];
    for (const [tag, list] of [['sensor', q.sensors], ['type', q.types]] as const) {
      if (!list) continue;
      parts.push(list.length ? `(${list.map((v) => `"${tag}"=${quoteLiteral(v)}`).join(' OR ')})` : 'false');
    }
    return parts.join(' AND ');
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    if ((q.sensors && !q.sensors.length) || (q.types && !q.types.length)) return [];
    const series = await this.query(
      `SELECT "id","value","battery","late","received","sensor","type" FROM "${MEASUREMENT}" WHERE ${this.where(q)}`,
    );
    const out: StoredEvent[] = [];
    for (const s of series) {
      const col = (name: string) => s.columns.indexOf(name);
      const [ti, ii, vi, bi, li, ri, si, yi] = ['time', 'id', 'value', 'battery', 'late', 'received', 'sensor', 'type'].map(col) as number[];
      for (const row of s.values) {
        out.push({
          hubId: q.hubId,
          id: JSON.parse(row[ii!] as string) as string,
          ts: Number(row[ti!]),
          receivedAt: Number(row[ri!]),
          sensor: row[si!] as string,
          type: row[yi!] as SensorType,
          value: JSON.parse(row[vi!] as string) as unknown,
          battery: row[bi!] === null || row[bi!] === undefined ? null : Number(row[bi!]),
          late: row[li!] === true,
        });
      }
    }
    return out.sort(byTimeThenId);
  }

  async count(q: RangeQuery): Promise<number> {
    if ((q.sensors && !q.sensors.length) || (q.types && !q.types.length)) return 0;
    const series = await this.query(`SELECT count("id") FROM "${MEASUREMENT}" WHERE ${this.where(q)}`);
    return Number(series[0]?.values[0]?.[1] ?? 0);
  }

  async countPerBucket(q: RangeQuery & { bucketMs: number }): Promise<BucketCount[]> {
    const b = Math.floor(q.bucketMs);
    if (!(b > 0)) throw new RangeError('bucketMs must be positive');
    if ((q.sensors && !q.sensors.length) || (q.types && !q.types.length)) return [];
    const series = await this.query(`SELECT count("id") FROM "${MEASUREMENT}" WHERE ${this.where(q)} GROUP BY time(${b}ms) fill(none)`);
    return (series[0]?.values ?? []).map((row) => ({ start: Number(row[0]), count: Number(row[1]) })).filter((r) => r.count > 0);
  }

  async lastPerSensor(q: RangeQuery): Promise<Map<string, number>> {
    if ((q.sensors && !q.sensors.length) || (q.types && !q.types.length)) return new Map();
    const series = await this.query(`SELECT last("id") FROM "${MEASUREMENT}" WHERE ${this.where(q)} GROUP BY "sensor"`);
    const out = new Map<string, number>();
    for (const s of series) {
      const sensor = s.tags?.sensor;
      const t = s.values[0]?.[0];
      if (sensor !== undefined && t !== undefined) out.set(sensor, Number(t));
    }
    return out;
  }

  async firstEventAt(hubId: string): Promise<number | null> {
    const series = await this.query(`SELECT first("id") FROM "${MEASUREMENT}" WHERE "hub"=${quoteLiteral(hubId)}`);
    const t = series[0]?.values[0]?.[0];
    return t === undefined || t === null ? null : Number(t);
  }

  async deleteBefore(before: number, hubId?: string): Promise<void> {
    await this.query(`DELETE FROM "${MEASUREMENT}" WHERE time < ${Math.trunc(before)}ms${hubId ? ` AND "hub"=${quoteLiteral(hubId)}` : ''}`);
  }

  async close(): Promise<void> {}
}
