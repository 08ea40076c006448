import type { HearthConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { EventStore } from './event-store.ts';
import { InfluxStore } from './influx-store.ts';
import { SqliteStore } from './sqlite-store.ts';

/** The configured event store: SQLite (default) or InfluxDB. */
export function openEventStore(config: Pick<HearthConfig, 'store' | 'influxUrl' | 'influxDb' | 'influxToken'> & Partial<Pick<HearthConfig, 'influxUser' | 'influxPassword'>>, db: Db): EventStore {
  if (config.store === 'influx') {
    return new InfluxStore({
      url: config.influxUrl,
      database: config.influxDb,
      ...(config.influxToken ? { token: config.influxToken } : {}),
      ...(config.influxUser ? { user: config.influxUser, password: config.influxPassword ?? '' } : {}),
    });
  }
  return new SqliteStore(db);
}
