import path from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Vite build of the operator console: dashboard/ to dashboard/dist, served by the Hearth server at /. */
export default defineConfig({
  root: HERE,
  // Relative asset URLs, so the console also works behind a reverse proxy under a sub-path.
  base: './',
  plugins: [preact()],
  build: {
    outDir: path.join(HERE, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      onLog(level, log, handler) {
        // zod's sources carry comments rollup cannot place; harmless, and not ours to fix.
        if (log.code === 'INVALID_ANNOTATION' && log.id?.includes('node_modules')) return;
        handler(level, log);
      },
    },
  },
  server: {
    // The console imports the shared protocol module from the repository root.
    fs: { allow: [path.resolve(HERE, '..')] },
    // `npm run dev:dashboard` next to a running server (`npm start`, port 8080).
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
