import { describe, expect, it } from 'vitest'
import { getPriority } from 'node:os'
import { Worker } from 'node:worker_threads'

describe.runIf(process.platform === 'linux')('lowerThreadPriority', () => {
  it('lowers the PDF reader thread to nice 10 and leaves the service thread as it was', async () => {
    const before = getPriority()
    const entry = new URL('../fixtures/nice-probe-worker.ts', import.meta.url)
    const worker = new Worker(new URL('../../src/worker-bootstrap.mjs', import.meta.url), { workerData: { entry: entry.href } })
    const nice = await new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
    await worker.terminate()
    expect(nice).toBe(Math.min(19, Math.max(before, 10)))
    expect(getPriority()).toBe(before)
  })
})
