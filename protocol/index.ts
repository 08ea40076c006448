// The Hearth hub protocol, version 1: topics, sensor kinds and zod schemas.
// Gateway, server, simulators and dashboard all import this one module.
export * from './topics.ts';
export * from './sensor-kinds.ts';
export * from './schemas.ts';
export * from './home.ts';
export * from './hub-reports.ts';
