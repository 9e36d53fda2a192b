import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { Problem } from '../common/problem';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
  version: string;
}

function repoRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps'))) return dir;
  }
  return process.cwd();
}

/**
 * The clerk page's files. Run from compiled code (npm start), the service serves what
 * `npm run build` bundled into dist/web; run from the TypeScript sources (tests, development),
 * it bundles apps/web with esbuild once, in memory, so the page is never stale and a fresh
 * clone needs no build step before `npm test`.
 */
@Injectable()
export class PageAssetsSource {
  private assets: Promise<PageAssets> | null = null;

  get(): Promise<PageAssets> {
    this.assets ??= this.load().catch((error: unknown) => {
      this.assets = null;
      throw error;
    });
    return this.assets;
  }

  private async load(): Promise<PageAssets> {
    const root = repoRoot(__dirname);
    const built = join(root, 'dist', 'web');
    const source = join(root, 'apps', 'web');
    const fromSources = __filename.endsWith('.ts');
    if (!fromSources && existsSync(join(built, 'main.js'))) {
      return assets(
        readFileSync(join(built, 'index.html'), 'utf8'),
        readFileSync(join(built, 'main.js'), 'utf8'),
        readFileSync(join(built, 'main.css'), 'utf8'),
      );
    }
    if (existsSync(join(source, 'src', 'main.tsx'))) return bundleInMemory(source);
    throw new Problem(503, 'page_not_built', 'The clerk page has not been built: run `npm run build`.');
  }
}

function assets(html: string, js: string, css: string): PageAssets {
  const version = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12);
  return { html: html.replace(/__VERSION__/g, version), js, css, version };
}

async function bundleInMemory(source: string): Promise<PageAssets> {
  // esbuild is a build tool (devDependency): loaded only when serving from the sources.
  const esbuild = await import('esbuild');
  // The same options as apps/web/build.mjs, from the file both read.
  const options = JSON.parse(readFileSync(join(source, 'bundle-options.json'), 'utf8')) as { entry: string; esbuild: import('esbuild').BuildOptions };
  const result = await esbuild.build({
    ...options.esbuild,
    entryPoints: [join(source, options.entry)],
    outdir: join(source, 'out'),
    write: false,
    logLevel: 'silent',
  });
  const file = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return assets(readFileSync(join(source, 'index.html'), 'utf8'), file('.js'), file('.css'));
}
