// Bundles the clerk page into dist/web for `npm start` (the service serves it at /clerk/).
// Keep the options in step with apps/api/src/web/page-assets.ts, which bundles in memory when run from sources.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, '..', '..', 'dist', 'web');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  outdir,
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
