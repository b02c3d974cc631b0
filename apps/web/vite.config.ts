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
    chunkSizeWarningLimit: 2500,
  },
});
