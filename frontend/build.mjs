// Bundle the modeler (bpmn-js + Camunda moddle + our panel) into web/static/modeler/dist/.
// No CDN at runtime: everything the page loads comes out of this folder.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../web/static/modeler/dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  // viewer: the read-only diagram of procedure, dossier and task pages (issue 13 item 9)
  entryPoints: { modeler: resolve(here, 'src/main.js'), viewer: resolve(here, 'src/viewer.js') },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['es2020'],
  outdir: out,
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  assetNames: 'assets/[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning'
});

// The stock bpmn-js style sheets and font, for anyone who wants them unbundled.
cpSync(resolve(here, 'node_modules/bpmn-js/dist/assets'), resolve(out, 'bpmn-js'), { recursive: true });
console.log('modeler bundle written to', out);
