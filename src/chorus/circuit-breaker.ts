export type BreakerState = 'closed' | 'open' | 'half_open'

export interface CircuitBreakerOptions {
  /** Consecutive unavailability errors (5xx, network, timeouts) that open the circuit. */
  readonly failureThreshold?: number
  /** How long calls fail fast once open, before one trial call is let through. */
  readonly cooldownMs?: number
  readonly now?: () => number
}

export interface CircuitBreaker {
  /** True when a call may go out now. In half-open state only one trial call at a time is allowed. */
  tryAcquire(): boolean
  /** Releases a trial slot taken by `tryAcquire` without judging Chorus (the call never reached it, e.g. a local validation error). */
  release(): void
  recordSuccess(): void
  recordFailure(): void
  state(): BreakerState
  /** Milliseconds until an open circuit lets a trial call through (0 when not open). */
  retryInMs(): number
}

/**
 * Stops hammering Chorus Pro while it is down: when it is, every call would wait for its timeout and
 * every job would burn an attempt. After `failureThreshold` consecutive unavailability errors calls fail
 * fast for `cooldownMs`; then one trial call decides whether to close again or wait another cool-down.
 * Business answers (even refusals) prove Chorus is up, so they count as successes.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = options.failureThreshold ?? 5
  const cooldownMs = options.cooldownMs ?? 30_000
  const now = options.now ?? Date.now
  let failures = 0
  let openedAt = 0
  let current: BreakerState = 'closed'
  let trialInFlight = false

  return {
    tryAcquire() {
      if (current === 'closed') return true
      if (current === 'open') {
        if (now() - openedAt < cooldownMs) return false
        current = 'half_open'
      }
      if (trialInFlight) return false
      trialInFlight = true
      return true
    },
    release() {
      trialInFlight = false
    },
    recordSuccess() {
      failures = 0
      current = 'closed'
      trialInFlight = false
    },
    recordFailure() {
      failures++
      trialInFlight = false
      if (current === 'half_open' || failures >= threshold) {
        current = 'open'
        openedAt = now()
      }
    },
    state() {
      if (current === 'open' && now() - openedAt >= cooldownMs) return 'half_open'
      return current
    },
    retryInMs() {
      return current === 'open' ? Math.max(0, cooldownMs - (now() - openedAt)) : 0
    },
  }
}
