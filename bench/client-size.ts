/**
 * Section 4: the voter page's JavaScript and CSS after a production `vite build` (the same
 * build as `npm run build`, into a temporary directory), raw and gzip-compressed with
 * node:zlib at its default level 6 (what nginx's `gzip_comp_level` and most CDNs use or exceed).
 * The voter page is what index.html loads: its module script, the chunks it preloads and its
 * stylesheets. Pages loaded lazily (console, projector, board, tally sheet, co-signing) are
 * separate chunks a voter's phone never fetches; their total is reported beside it.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildClient } from '../test/helpers/browser.ts';
import { target, type SectionResult } from './lib/report.ts';

/** Sizes in kilobytes of 1,000 bytes, as the target ("60 KB") is written. */
const KB = 1000;

export async function benchClientSize(log: (line: string) => void): Promise<SectionResult> {
  const outDir = await buildClient();
  try {
    const assetsDir = join(outDir, 'assets');
    const files = readdirSync(assetsDir)
      .filter((name) => /\.(js|css)$/.test(name))
      .map((name) => {
        const bytes = readFileSync(join(assetsDir, name));
        return { name, kind: name.endsWith('.js') ? 'js' : 'css', raw: bytes.length, gzip: gzipSync(bytes).length };
      });
    const html = readFileSync(join(outDir, 'index.html'));
    const loaded = new Set([...html.toString('utf8').matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1]!));
    const voterFiles = files.filter((f) => loaded.has(f.name));
    const total = (kind: string, field: 'raw' | 'gzip', among = voterFiles) => among.filter((f) => f.kind === kind).reduce((sum, f) => sum + f[field], 0);
    const js = { raw: total('js', 'raw'), gzip: total('js', 'gzip') };
    const css = { raw: total('css', 'raw'), gzip: total('css', 'gzip') };
    const lazyJs = total('js', 'gzip', files) - js.gzip;
    log(`  ${files.length} assets: ${files.map((f) => `${f.name} ${(f.gzip / KB).toFixed(1)} kB gz`).join(', ')}`);
    const jsFiles = voterFiles.filter((f) => f.kind === 'js').length;
    return {
      title: '4. Voter page after vite build (production)',
      rows: [
        { metric: 'JavaScript, gzip', value: js.gzip / KB, unit: 'kB', note: `${jsFiles} file${jsFiles === 1 ? '' : 's'}` },
        { metric: 'JavaScript, raw (minified)', value: js.raw / KB, unit: 'kB' },
        { metric: 'CSS, gzip', value: css.gzip / KB, unit: 'kB' },
        { metric: 'CSS, raw (minified)', value: css.raw / KB, unit: 'kB' },
        { metric: 'index.html, gzip', value: gzipSync(html).length / KB, unit: 'kB' },
        { metric: 'other pages (lazy chunks, never loaded by /vote), JavaScript gzip', value: lazyJs / KB, unit: 'kB' },
      ],
      targets: [target('voter page < 60 KB of gzipped JavaScript', js.gzip / KB, 'kB', (v) => v < 60)],
      raw: { files, indexHtml: { raw: html.length, gzip: gzipSync(html).length } },
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
