// Makes docs/reports/*.png: each report of pages.ts, shot in headless Chromium.
// Run: npx vite-node test/report/screenshots.ts
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { screenshot } from './chromium.js';
import { reportPages } from './pages.js';

const OUT_DIR = 'docs/reports';
/** Tall enough for the plots and the first tables. */
const SIZES: Record<string, string> = { replay: '1400,1000', compare: '1400,1000', imported: '1400,760', fleet: '1400,1000', 'fleet-compare': '1400,1250', chaos: '1400,1300' };

mkdirSync(OUT_DIR, { recursive: true });
const { pages } = reportPages();
for (const [name, html] of Object.entries(pages)) {
  const out = resolve(OUT_DIR, `${name}.png`);
  await screenshot(html, out, SIZES[name]);
  process.stdout.write(`${out}\n`);
}
