// Runs a pass every `intervalMs`, never two at once; a failed pass is logged and the next tick
// tries again. `stop()` waits for the pass in flight. Sweepers share it.
import type { Logger } from '@app/common';

export class PeriodicTask {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly options: { intervalMs: number; logger: Logger; what: string; runAtStart?: boolean },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    if (this.options.runAtStart) void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.pass();
    try {
      await this.running;
    } catch (err) {
      this.options.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.options.what} failed; next tick retries`);
    } finally {
      this.running = null;
    }
  }
}
