import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';

const shared = { '@shared': resolve(__dirname, 'src/shared') };

/**
 * One build for both shells. main/ holds every Node-side entry: the Electron main process, the
 * backend that runs in Electron's utilityProcess, the browser-mode server, the CLI and the job
 * worker. The renderer is the same bundle in Electron and in browser mode.
 */
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    resolve: { alias: shared },
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: resolve(__dirname, 'src/main/electron/main.ts'),
          'backend-host': resolve(__dirname, 'src/main/electron/backend-host.ts'),
          server: resolve(__dirname, 'src/main/server.ts'),
          worker: resolve(__dirname, 'src/main/worker/entry.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
        },
        // Flat output: entries and shared chunks side by side in out/main.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    resolve: { alias: shared },
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
  },
});
