// Whether the data root takes writes right now: a full disk, a remount read-only or a vanished
// mount would otherwise show only as failed commits. Every interval a small file is created
// (exclusively, under a unique name), synced and removed.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const DATA_ROOT_PROBE_MS = 2000;

export class DataRootProbe {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly root: string,
    private readonly report: (writable: boolean, error?: Error) => void,
    private readonly intervalMs = DATA_ROOT_PROBE_MS,
  ) {}

  /** Probes now, then every interval until stop(). */
  start(): Promise<void> {
    const tick = () => {
      this.running = this.probe().then((e) => this.report(e === null, e ?? undefined));
      return this.running;
    };
    this.timer = setInterval(() => void tick(), this.intervalMs);
    this.timer.unref();
    return tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async probe(): Promise<Error | null> {
    const file = path.join(this.root, `.health-probe-${randomUUID()}`);
    try {
      const handle = await fs.open(file, 'wx');
      try {
        await handle.writeFile('ok');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.unlink(file);
      return null;
    } catch (e) {
      await fs.unlink(file).catch(() => undefined);
      return e as Error;
    }
  }
}
