import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The client lives in client/; `vite build` writes it to dist/client, which the Hono server serves.
export default defineConfig({
  root: 'client',
  plugins: [solid()],
  build: { outDir: '../dist/client', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
