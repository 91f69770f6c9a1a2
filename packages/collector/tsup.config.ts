import { defineConfig } from 'tsup';

// The library ships ESM and CommonJS with declarations for both; the `llm-cost` binary is one ESM file; the dashboard's
// front end (Preact + uPlot, src/dashboard/ui) is one minified browser script and one stylesheet in dist/dashboard,
// served by the collector and `llm-cost dashboard` with no network access.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    shims: true,
    splitting: false,
  },
  {
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
  },
  {
    entry: { app: 'src/dashboard/ui/main.tsx' },
    outDir: 'dist/dashboard',
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    // Bundled: the browser gets one file, so these are build-time dependencies of the package only.
    noExternal: ['preact', 'uplot'],
    outExtension: () => ({ js: '.js' }),
    esbuildOptions(options) {
      options.jsx = 'automatic';
      options.jsxImportSource = 'preact';
      options.legalComments = 'eof';
    },
  },
]);
