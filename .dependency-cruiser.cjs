/**
 * Which way imports may point (run by `npm run lint`). src/lib is layered, lowest first; a
 * folder may import from its own layer and the ones below, never from above. The server,
 * the CLI and the widget may use the shared protocol, GGUF and util code, never the app's
 * stateful layers; nothing imports a route. No file may take part in an import cycle.
 */
const LAYERS = [
  ['protocol', 'gguf', 'util', 'i18n', 'markdown', 'device'],
  ['store'],
  ['models'],
  ['portal'],
  ['engines'],
  ['downloads', 'sw'],
  ['chat', 'library'],
  ['components']
];

const folder = (names) => `^src/lib/(${names.join('|')})/`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import from the layers above it`,
  severity: 'error',
  from: { path: folder(layer) },
  to: {
    path: folder(LAYERS.slice(i + 1).flat()),
    // The catalog's record shapes are the store's vocabulary (it persists them).
    pathNot: '^src/lib/models/types\\.ts$'
  }
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'shared-code-only-outside-the-app',
      comment: 'server/, the widget and the service worker use protocol, GGUF and util code only',
      severity: 'error',
      from: { path: '^(server/|src/widget/)' },
      to: { path: '^src/lib/', pathNot: '^src/lib/(protocol|gguf|util|markdown)/' }
    },
    {
      name: 'no-route-imports',
      severity: 'error',
      from: {},
      to: { path: '^src/routes/' }
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|build|\\.svelte-kit)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    extraExtensionsToScan: ['.svelte']
  }
};
