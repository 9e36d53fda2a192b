// Bundles the clerk page into dist/web for `npm start` (the service serves it at /clerk/).
// bundle-options.json is shared with apps/api/src/web/page-assets.ts, which bundles in memory when run from sources.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const options = JSON.parse(readFileSync(join(here, 'bundle-options.json'), 'utf8'));
const outdir = join(here, '..', '..', 'dist', 'web');
mkdirSync(outdir, { recursive: true });
await build({ ...options.esbuild, entryPoints: [join(here, options.entry)], outdir, logLevel: 'warning' });
copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
