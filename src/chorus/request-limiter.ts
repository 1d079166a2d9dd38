export interface RequestLimiterOptions {
  /** Calls in flight at once (default 5). */
  readonly maxConcurrency?: number
  /** Calls started per second, averaged over one second with a burst of the same size (default 20). */
  readonly ratePerSecond?: number
}

export interface RequestLimiter {
  run<T>(task: () => Promise<T>): Promise<T>
  /** Calls waiting for a slot (metrics). */
  pending(): number
}

/**
 * Keeps one environment's calls within PISTE's quotas and Chorus's patience: a concurrency cap plus a
 * token bucket. Waiters are served in arrival order, so a long batch cannot starve an interactive call
 * that queued behind it for long.
 */
export function createRequestLimiter(options: RequestLimiterOptions = {}): RequestLimiter {
  const maxConcurrency = Math.max(1, options.maxConcurrency ?? 5)
  const rate = Math.max(0.001, options.ratePerSecond ?? 20)
  const capacity = Math.max(1, rate)
  let tokens = capacity
  let refilledAt = Date.now()
  let active = 0
  const queue: Array<() => void> = []
  let timer: NodeJS.Timeout | undefined

  function refill() {
    const t = Date.now()
    tokens = Math.min(capacity, tokens + ((t - refilledAt) / 1000) * rate)
    refilledAt = t
  }

  function pump() {
    timer = undefined
    while (queue.length > 0 && active < maxConcurrency) {
      refill()
      if (tokens < 1) {
        timer = setTimeout(pump, Math.ceil(((1 - tokens) / rate) * 1000))
        return
      }
      tokens -= 1
      active++
      queue.shift()!()
    }
  }

  return {
    run(task) {
      return new Promise((resolve, reject) => {
        queue.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active--
              if (!timer) pump()
            })
        })
        if (!timer) pump()
      })
    },
    pending: () => queue.length,
  }
}
