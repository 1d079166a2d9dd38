/**
 * The layers of ARCHITECTURE.md as rules, checked in `npm test` (test/architecture/layers.test.ts):
 *
 *   domain  <-  db / chorus / pdf / sources / secrets / sandbox / mail  <-  workflows  <-  jobs / cron / http  <-  wiring, service, main
 *
 * An import that runs back up, or across between two entry points, fails with the rule's name.
 */
const TOP = '^src/(service|wiring|main|cli|config)\\.ts$'
const ENTRY = '^src/(jobs|cron|http)/'
const ADAPTERS = '^src/(db|chorus|pdf|sources|secrets|sandbox|net|mail)/'

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds rules and types only: it imports nothing else of src.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'adapters-never-import-upward',
      comment: 'db, chorus, pdf, sources, secrets and sandbox are used by workflows; they never use a workflow, a route, the worker or the wiring.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: ['^src/workflows/', ENTRY, TOP] },
    },
    {
      name: 'chorus-and-pdf-know-only-the-domain',
      comment: 'The Chorus Pro client and the PDF reader are libraries of ours: no database, no source, no secret store.',
      severity: 'error',
      from: { path: '^src/(chorus|pdf)/' },
      to: { path: ADAPTERS, pathNot: ['^src/$1/'] },
    },
    {
      name: 'sandbox-is-independent',
      comment: 'The sandbox stands in for Chorus Pro: it reads PDFs itself and shares no code with what it tests, but the domain (DESIGN.md).',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: ['^src/sandbox/', '^src/domain/'] },
    },
    {
      name: 'only-the-service-starts-the-sandbox',
      comment: 'Nothing but the service wiring (and the standalone sandbox) reaches the sandbox.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/sandbox/', '^src/service\\.ts$'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'workflows-never-import-entry-points',
      comment: 'Workflows are given their ports (ports.jobs to enqueue); they never import the worker, cron, Hono routes or the wiring.',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: [ENTRY, TOP] },
    },
    {
      name: 'entry-points-stay-apart',
      comment: 'Routes, job handlers and schedules meet only in src/wiring.ts: http, jobs and cron never import one another.',
      severity: 'error',
      from: { path: ENTRY },
      to: { path: ENTRY, pathNot: '^src/$1/' },
    },
    {
      name: 'entry-points-never-import-the-wiring',
      comment: 'The wiring imports the entry points, not the other way round.',
      severity: 'error',
      from: { path: ENTRY },
      to: { path: TOP, pathNot: '^src/config\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes start-up order matter and hides which module owns what.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.d.ts'] },
  },
}
