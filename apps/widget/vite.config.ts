import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The iframe chat app, served by the Huike server at /widget/ (apps/widget/dist/app).
export default defineConfig({
  root: fileURLToPath(new URL('./src/app', import.meta.url)),
  base: '/widget/',
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    // One small entry chunk: the preload polyfill would only add bytes.
    modulePreload: { polyfill: false },
    // Shop visitors bring older phones and in-app browsers (WeChat, Alipay, Douyin).
    target: ['es2020', 'chrome87', 'safari14', 'firefox78'],
  },
  server: {
    // `npx vite` in apps/widget against a local Huike server on :3000.
    proxy: { '/public': { target: 'http://localhost:3000', ws: true } },
  },
});
