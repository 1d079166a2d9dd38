/**
 * Crash points for the crash-safety tests: with `CONNECTOR_FAULT_POINT=<name>` in the environment
 * the process kills itself (SIGKILL, no cleanup, exactly like a power cut) the first time it reaches
 * that point. Unset, this is a no-op. It exists because "between Chorus Pro's answer and our commit" is
 * a window of a few milliseconds that no outside signal can hit reliably.
 */
const armed = new Set((process.env.CONNECTOR_FAULT_POINT ?? '').split(',').map((s) => s.trim()).filter(Boolean))

export type FaultPoint = 'after-soumettre' | 'after-deposer-flux' | 'before-submit-commit'

export function faultPoint(name: FaultPoint): void {
  if (armed.has(name)) {
    process.stderr.write(`fault point ${name}: killing the process\n`)
    process.kill(process.pid, 'SIGKILL')
  }
}
