import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The <script> snippet shops embed: one minified IIFE, served by the Huike server at /widget.js.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/loader', import.meta.url)),
    emptyOutDir: true,
    minify: true,
    target: ['es2017', 'chrome61', 'safari11', 'firefox60'],
    lib: {
      entry: fileURLToPath(new URL('./src/loader/widget.ts', import.meta.url)),
      formats: ['iife'],
      name: 'HuikeLoader',
      fileName: () => 'widget.js',
    },
  },
});
