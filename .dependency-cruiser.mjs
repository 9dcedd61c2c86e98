/**
 * Import rules of src/: what may import what (docs/architecture.md draws them).
 * Checked by `npm run lint:imports` (part of `npm run lint`); test/unit/import-rules.test.ts
 * proves on synthetic trees that breaking any of them fails the check.
 *
 * The layers, bottom up: config.ts and context/ import nothing from src/; log/ -> context/;
 * metrics/ -> log/; http/ -> context/, log/, metrics/; tracing/ -> those and config;
 * services/ -> tracing/index.ts, http/, log/, metrics/, config; main.ts -> services/,
 * tracing/index.ts, config. Every arrow points down that list, so the top-level folders
 * cannot form a cycle; no-circular catches cycles between modules, inside a folder too.
 *
 * Paths are relative to the folder the check runs in (the repository root), hence '^src/'.
 * An import to something outside src/ (npm packages, node: built-ins) is never matched by a
 * folder rule, only by src-not-to-tools and not-to-unresolvable.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */

/** A regular expression for "somewhere in src/ other than these", for `to.pathNot`. */
const inSrc = (...allowed) => `^src/(${allowed.join('|')})`;
const CONFIG = 'config[.]ts$';
const TRACING_ENTRY = 'tracing/index[.]ts$';

export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'no import cycles in src/: a module must not (even through others, even with `import type`) ' +
        'import itself back. Move the shared piece down a layer (as context/ holds the request scope ' +
        'that both log/ and tracing/ read).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-tools',
      severity: 'error',
      comment:
        'nothing under src/ (the product, what the image ships) imports tools/, test/, bench/ or mesh/',
      from: { path: '^src/' },
      to: { path: '^(tools|test|bench|mesh)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'every import in src/ resolves to a file or package (a `./x.js` specifier to ./x.ts); ' +
        'an import the check cannot follow is one it cannot check either',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'config-not-to-src',
      severity: 'error',
      comment: 'config.ts reads and validates the environment and imports nothing from src/',
      from: { path: `^src/${CONFIG}` },
      to: { path: '^src/', pathNot: `^src/${CONFIG}` },
    },
    {
      name: 'context-not-to-src',
      severity: 'error',
      comment:
        'context/ (the request scope: request id, mesh trace id, active span) imports nothing ' +
        'from src/ outside context/',
      from: { path: '^src/context/' },
      to: { path: '^src/', pathNot: inSrc('context/') },
    },
    {
      name: 'log-only-to-context',
      severity: 'error',
      comment: 'log/ may import only context/ (it reads trace ids from the request scope)',
      from: { path: '^src/log/' },
      to: { path: '^src/', pathNot: inSrc('log/', 'context/') },
    },
    {
      name: 'metrics-only-to-log',
      severity: 'error',
      comment: 'metrics/ may import only log/',
      from: { path: '^src/metrics/' },
      to: { path: '^src/', pathNot: inSrc('metrics/', 'log/') },
    },
    {
      name: 'http-only-to-context-log-metrics',
      severity: 'error',
      comment:
        'http/ (the Express app shell, untraced GET) may import only context/, log/ and metrics/',
      from: { path: '^src/http/' },
      to: { path: '^src/', pathNot: inSrc('http/', 'context/', 'log/', 'metrics/') },
    },
    {
      name: 'tracing-only-to-lower-layers',
      severity: 'error',
      comment:
        'tracing/ (the tracer module) may import only config, context/, log/, metrics/ and http/ ' +
        '- never services/ or main.ts',
      from: { path: '^src/tracing/' },
      to: {
        path: '^src/',
        pathNot: inSrc('tracing/', CONFIG, 'context/', 'log/', 'metrics/', 'http/'),
      },
    },
    {
      name: 'propagation-only-to-codecs-and-config',
      severity: 'error',
      comment:
        'tracing/propagation/ (pure header codecs) may import only each other and config (types) ' +
        '- not the tracing core, not tracing/jaeger/, no other layer',
      from: { path: '^src/tracing/propagation/' },
      to: { path: '^src/', pathNot: inSrc('tracing/propagation/', CONFIG) },
    },
    {
      name: 'jaeger-adapter-not-to-tracing-core',
      severity: 'error',
      comment:
        'tracing/jaeger/ (the jaeger-client adapter) must not import the tracing core ' +
        '(tracing/*.ts, tracing/index.ts): no upward arrow. Of the tracer module it may import ' +
        'only tracing/jaeger/ and tracing/propagation/',
      from: { path: '^src/tracing/jaeger/' },
      to: { path: '^src/tracing/', pathNot: '^src/tracing/(jaeger|propagation)/' },
    },
    {
      name: 'jaeger-adapter-only-to-config-context-log-metrics',
      severity: 'error',
      comment:
        'tracing/jaeger/ (the jaeger-client adapter) may import, outside the tracer module, ' +
        'only config, context/, log/ and metrics/',
      from: { path: '^src/tracing/jaeger/' },
      to: { path: '^src/', pathNot: inSrc('tracing/', CONFIG, 'context/', 'log/', 'metrics/') },
    },
    {
      name: 'jaeger-client-only-in-its-typed-view',
      severity: 'error',
      comment:
        'only tracing/jaeger/jaeger-client.ts loads the jaeger-client package: every use of ' +
        'jaeger-client, and every reach into its internals, goes through that one typed view',
      from: { path: '^src/', pathNot: '^src/tracing/jaeger/jaeger-client[.]ts$' },
      to: { path: '(^|/)node_modules/jaeger-client/' },
    },
    {
      name: 'services-tracing-only-via-index',
      severity: 'error',
      comment:
        'services may use the tracer module only through tracing/index.ts ' +
        '(not its core files, not tracing/propagation/ or tracing/jaeger/)',
      from: { path: '^src/services/' },
      to: { path: '^src/tracing/', pathNot: `^src/${TRACING_ENTRY}` },
    },
    {
      name: 'services-only-to-http-log-metrics-config',
      severity: 'error',
      comment:
        'services/ may import only tracing/index.ts, http/, log/, metrics/ and config ' +
        '(the request scope reaches them through tracing/index.ts; never main.ts)',
      from: { path: '^src/services/' },
      to: {
        path: '^src/',
        pathNot: inSrc('services/', 'tracing/', 'http/', 'log/', 'metrics/', CONFIG),
      },
    },
    {
      name: 'main-only-to-services-config-tracing-index',
      severity: 'error',
      comment: 'main.ts (the entry) may import only services/, config and tracing/index.ts',
      from: { path: '^src/main[.]ts$' },
      to: { path: '^src/', pathNot: inSrc('services/', CONFIG, TRACING_ENTRY) },
    },
  ],
  options: {
    // node_modules are leaves; so are tools/ & co. (src-not-to-tools reports the import itself)
    doNotFollow: { path: ['(^|/)node_modules/', '^(tools|test|bench|mesh)/'] },
    // `import type` and type-only uses count: a type is an arrow too
    tsPreCompilationDeps: true,
    // NodeNext specifiers ('./x.js') resolve to the .ts source without any setting:
    // dependency-cruiser retries a .js that is not on disk as .ts/.d.ts, as tsc does.
    // not-to-unresolvable above fails the check if that ever stops working.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
