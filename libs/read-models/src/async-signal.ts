/** A wake-up flag that many waiters can await; `notify` releases every current waiter. */
export class AsyncSignal {
  private waiters: Array<() => void> = [];

  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const release = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(release);
      if (timeoutMs !== undefined)
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== release);
          resolve();
        }, timeoutMs);
    });
  }

  notify(): void {
    // Called for every event a projection is offered: no allocation when nobody waits.
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
