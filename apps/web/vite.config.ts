import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The web UI, built to static files (apps/web/dist) that the server serves under "/".
 * JSX is compiled by Vite's own transformer (react-jsx, from tsconfig.json).
 */
export default defineConfig({
  root: resolve(__dirname),
  // The stage configuration, the text rules and the grading rules are shared with the server, not copied.
  resolve: {
    alias: {
      '@app/workflow/stages': resolve(__dirname, '../../libs/workflow/src/stages.ts'),
      '@app/domain/rules': resolve(__dirname, '../../libs/domain/src/plan/rules.ts'),
      '@app/domain/grading': resolve(__dirname, '../../libs/domain/src/plan/grading.ts'),
    },
  },
  base: '/',
  build: { outDir: resolve(__dirname, 'dist'), emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://localhost:3000', '/health': 'http://localhost:3000' } },
});
