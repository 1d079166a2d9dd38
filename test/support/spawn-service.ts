import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url))

export interface SpawnedService {
  readonly child: ChildProcess
  readonly url: string
  readonly stdout: () => string
  readonly stderr: () => string
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `src/main.ts` as `npm start` does (node + tsx) with the given environment; resolves once it prints its URL. */
export function spawnService(env: Record<string, string>, timeoutMs = 30_000): Promise<SpawnedService> {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => { out += d })
  child.stderr!.on('data', (d) => { err += d })
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`service did not start in ${timeoutMs} ms\n${out}\n${err}`)) }, timeoutMs)
    const check = () => {
      const m = /Chorus Pro Connector (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout!.off('data', check)
        resolve({
          child,
          url: m[1]!,
          stdout: () => out,
          stderr: () => err,
          stop: async (signal = 'SIGTERM') => { child.kill(signal); return exited },
        })
      }
    }
    child.stdout!.on('data', check)
    exited.then((code) => { clearTimeout(timer); reject(new Error(`service exited with ${code} before starting\n${out}\n${err}`)) })
  })
}
