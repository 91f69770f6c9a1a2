import { defineConfig } from 'tsup';

// Every package ships ESM and CommonJS with declarations for both (`import` and `require` consumers).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  shims: true,
  splitting: false,
});
