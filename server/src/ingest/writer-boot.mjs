// Starts the writer thread: a worker does not inherit its parent's TypeScript loader, so the thread's
// module (workerData.entry) is loaded through tsx, the loader every Hearth command already runs under.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
