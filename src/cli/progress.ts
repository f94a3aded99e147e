// Upload progress: on a terminal a bar redrawn in place on stderr (rows, bytes, rate); elsewhere
// nothing until the one-line summary, so logs and pipes stay clean.
import { bytes, count, rate } from './format.ts';

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(private readonly out: NodeJS.WriteStream, private readonly enabled: boolean) {}

  update(fraction: number, rows: number, byteCount: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const f = Math.max(0, Math.min(1, fraction));
    const filled = Math.round(f * BAR_WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
    const line = `${bar} ${String(Math.floor(f * 100)).padStart(3)}%  ${count(rows)} rows  ${bytes(byteCount)}  ${rate(byteCount, now - this.started)}`;
    this.out.write(`\r${line}\x1b[K`);
  }

  /** Removes the bar so the summary line starts on a clean line. */
  clear(): void {
    if (this.enabled && this.lastDraw > 0) this.out.write('\r\x1b[K');
  }
}
