/**
 * Import rules checked by `npm run lint:deps` (part of `npm test`).
 *
 * This pass reads the TypeScript sources as written, type-only imports included: a circle of
 * types is still a circle (two files that cannot be understood, moved or split apart one
 * without the other). The process boundary is checked on the emitted JavaScript, in
 * .dependency-cruiser.runtime.cjs, because only what runs decides which process loads TensorFlow.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import circles: move the shared part into a leaf file both sides import.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
