import { openDatabase } from '../../../server/src/db/database.ts';
import { InfluxStore } from '../../../server/src/store/influx-store.ts';
import { MemoryStore } from '../../../server/src/store/memory-store.ts';
import { SqliteStore } from '../../../server/src/store/sqlite-store.ts';
import { influxAvailable, startInflux } from '../../helpers/influx.ts';
import { tempDir } from '../../helpers/hearth.ts';
import { eventStoreContract } from './contract.ts';

eventStoreContract('memory', async () => ({ store: new MemoryStore(), close: async () => {} }));

eventStoreContract('sqlite', async () => {
  const tmp = tempDir();
  const { db } = await openDatabase(`${tmp.dir}/hearth.sqlite`);
  return {
    store: new SqliteStore(db),
    close: async () => {
      await db.destroy();
      tmp.remove();
    },
  };
});

eventStoreContract(
  'influx (real influxd)',
  async () => {
    const server = await startInflux();
    return { store: new InfluxStore({ url: server.url, database: 'hearth_contract' }), close: () => server.close() };
  },
  influxAvailable(),
);
