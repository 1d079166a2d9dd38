import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'

/**
 * Lowers the calling thread's CPU priority (nice 10) on Linux, where a thread is a task with its own
 * id (/proc/thread-self → "pid/task/tid") and setpriority() on that id affects only that thread. On a
 * 2-core machine the PDF readers otherwise took the cores from the event loop during a burst, and each
 * upload's answer waited behind them (footprint bench, README). Elsewhere, or without the right, it
 * does nothing: the reader still works, only without yielding.
 */
export function lowerThreadPriority(nice = 10): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice)
  } catch {
    // Not Linux, or not allowed: keep the default priority.
  }
}
