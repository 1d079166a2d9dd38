import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const config: IConfiguration = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs'))

function violationsOf(result: ICruiseResult): string[] {
  return (result.summary.violations ?? []).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)
}

async function cruiseDir(baseDir: string, withTsConfig: boolean): Promise<ICruiseResult> {
  const { tsConfig, ...options } = config.options ?? {}
  const r = await cruise(['src'], { ...options, ...(withTsConfig ? { tsConfig } : {}), baseDir, validate: true, ruleSet: { forbidden: config.forbidden } })
  return r.output as ICruiseResult
}

describe('the layers of ARCHITECTURE.md', () => {
  it('are kept by every import in src/', async () => {
    const result = await cruiseDir(root, true)
    expect(result.summary.totalCruised).toBeGreaterThan(150)
    // Each line names the rule broken and the import that breaks it.
    expect(violationsOf(result)).toEqual([])
  }, 60_000)

  it('would catch an import that runs back up, or across entry points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layers-'))
    const files: Record<string, string> = {
      'src/domain/rule.ts': "import { q } from '../db/q'\nexport const r = q",
      'src/db/q.ts': "export const q = 1",
      'src/workflows/w.ts': "import { worker } from '../jobs/worker'\nexport const w = worker",
      'src/jobs/worker.ts': "import { route } from '../http/route'\nexport const worker = route",
      'src/http/route.ts': "export const route = 1",
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
    const probe = await cruiseDir(dir, false)
    const names = violationsOf(probe).map((v) => v.split(':')[0])
    expect(names.sort()).toEqual(['domain-is-pure', 'entry-points-stay-apart', 'workflows-never-import-entry-points'])
  }, 60_000)
})
