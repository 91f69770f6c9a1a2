import { defineConfig } from 'tsup';

// Every package ships ESM and CommonJS with declarations for both (`import` and `require` consumers).
// The preload entry (`@llm-cost/instrumentation/register`) imports the package by name, so an application that also
// imports the package shares one copy of it per module system.
export default defineConfig({
  entry: { index: 'src/index.ts', register: 'src/register-entry.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  external: ['@llm-cost/instrumentation'],
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  splitting: false,
});
