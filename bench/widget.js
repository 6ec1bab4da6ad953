/**
 * The embeddable widget's weight: what a host page loads before the launcher is opened
 * (widget.js) and what opening it adds (the panel and its chunks), as built by
 * `npm run build:widget`, raw, gzipped and brotli-compressed.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const BUILD = path.resolve(import.meta.dirname, '..', 'build');

function sizes(file) {
  const bytes = fs.readFileSync(file);
  return {
    raw: bytes.length,
    gzip: zlib.gzipSync(bytes, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(bytes).length
  };
}

const loader = path.join(BUILD, 'widget.js');
if (!fs.existsSync(loader)) {
  console.error('build/widget.js is missing: run `npm run build:widget` first');
  process.exit(1);
}
const panelDir = path.join(BUILD, 'widget');
const panelFiles = fs.readdirSync(panelDir).filter((name) => name.endsWith('.js'));
const total = (list) =>
  list.reduce(
    (sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }),
    { raw: 0, gzip: 0, brotli: 0 }
  );
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const line = (label, s) =>
  console.log(
    `${label.padEnd(28)} ${kb(s.raw).padStart(10)} raw ${kb(s.gzip).padStart(10)} gzip ${kb(s.brotli).padStart(10)} br`
  );

const before = sizes(loader);
line('before opening (widget.js)', before);
line('on open (panel, all chunks)', total(panelFiles.map((f) => sizes(path.join(panelDir, f)))));
const BUDGET = 25 * 1024;
console.log(
  `loader budget: ${kb(before.gzip)} of ${kb(BUDGET)} gzipped (${before.gzip <= BUDGET ? 'within' : 'OVER'})`
);
