/**
 * The embeddable widget, built after the app into the same directory so the server
 * serves it (`npm run build:widget`, part of `npm run build`). Two passes:
 *   - default: widget.js, the loader a host page's <script> tag runs. A classic script
 *     (IIFE): host pages load it without type="module", and it must stay small.
 *   - `--mode panel`: widget/panel.js and its chunks, the ES modules the loader imports
 *     when a panel opens (the chat UI and the app's Markdown renderer).
 * Each output gets .gz and .br siblings, as the app's files do, which the server sends
 * as they are (server/http/static-app.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = 'build';

function precompress(): Plugin {
  let outDir = OUT_DIR;
  return {
    name: 'hearth-widget-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        const file = path.join(outDir, fileName);
        const bytes = fs.readFileSync(file);
        const gzip = zlib.gzipSync(bytes, { level: 9 });
        fs.writeFileSync(`${file}.gz`, gzip);
        fs.writeFileSync(
          `${file}.br`,
          zlib.brotliCompressSync(bytes, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 }
          })
        );
        if (fileName === 'widget.js')
          console.log(`widget.js: ${bytes.length} bytes, ${gzip.length} bytes gzipped`);
      }
    }
  };
}

/** Sites fetch the API's types from the server, next to the script. */
function typesFile(): Plugin {
  return {
    name: 'hearth-widget-types',
    apply: 'build',
    writeBundle() {
      fs.copyFileSync('src/widget/hearth-widget.d.ts', path.join(OUT_DIR, 'widget.d.ts'));
    }
  };
}

export default defineConfig(({ mode }) => {
  const shared = {
    define: { 'process.env.NODE_ENV': '"production"' },
    publicDir: false as const
  };
  if (mode === 'panel')
    return {
      ...shared,
      plugins: [precompress()],
      build: {
        outDir: path.join(OUT_DIR, 'widget'),
        emptyOutDir: false,
        target: 'es2022',
        lib: {
          entry: 'src/widget/panel/index.ts',
          formats: ['es' as const],
          fileName: () => 'panel.js'
        },
        rollupOptions: { output: { chunkFileNames: '[name]-[hash].js' } }
      }
    };
  return {
    ...shared,
    plugins: [precompress(), typesFile()],
    build: {
      outDir: OUT_DIR,
      emptyOutDir: false,
      target: 'es2020',
      lib: {
        entry: 'src/widget/loader.ts',
        formats: ['iife' as const],
        name: 'HearthWidgetLoader',
        fileName: () => 'widget.js'
      }
    }
  };
});
