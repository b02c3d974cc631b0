import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API server (apps/server) listens on :3000 in development; Vite proxies HTTP and WebSocket traffic to it.
// The Host header is kept (no changeOrigin): the server only accepts the agent socket when Origin matches Host.
const apiServer = 'http://localhost:3000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiServer, ws: true },
      '/public': { target: apiServer, ws: true },
      '/widget.js': { target: apiServer },
    },
  },
  build: {
    outDir: 'dist',
    // The largest chunk (the Ant Design core /login needs) is ~370 kB before gzip; warn if one grows past 400.
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      output: {
        // Vite 8 bundles with Rolldown: `codeSplitting.groups` replaces Rollup's `manualChunks`.
        // Vendor code that /login needs is split by library so it caches across app releases; vendor code
        // only the signed-in pages use stays with those pages (automatic splitting), so /login stays small.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 40 },
            {
              name: 'antd',
              test: /node_modules[\\/](antd|@ant-design|@rc-component|@babel[\\/]runtime|stylis|@emotion|compute-scroll-into-view|scroll-into-view-if-needed|throttle-debounce|json2mq|copy-to-clipboard|toggle-selection)[\\/]/,
              tags: ['$initial'],
              priority: 30,
            },
            // The shared shapes (zod) only the signed-in pages parse with, e.g. realtime frames.
            { name: 'contracts', test: /(packages[\\/]contracts[\\/]|node_modules[\\/]zod[\\/])/, priority: 35 },
            // Icons the signed-in pages use: one small chunk instead of one file per icon.
            { name: 'icons', test: /node_modules[\\/]@ant-design[\\/]icons(-svg)?[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, tags: ['$initial'], priority: 10 },
          ],
        },
      },
    },
  },
});
