import cliProgress from 'cli-progress';
import type { ImportProgress } from '../prices/import.js';

/** Plain progress lines (no terminal) come once per this many rows. */
const LINE_EVERY_ROWS = 100_000;

export interface ProgressReporter {
  update(progress: ImportProgress): void;
  stop(): void;
}

/**
 * Progress on stderr, so stdout keeps only the summary: a bar in a terminal, and plain lines
 * otherwise, which logs and CI keep readable.
 */
export function importProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  return stream.isTTY ? barProgress(stream) : lineProgress(stream);
}

function barProgress(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    { stream, format: 'reading |{bar}| {percentage}% | {rows} rows | ETA {eta_formatted}', etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  const stop = () => {
    if (started && !stopped) bar.stop();
    stopped = true;
  };
  return {
    update(progress) {
      if (stopped) return;
      if (!started) {
        bar.start(Math.max(progress.totalBytes, 1), 0, { rows: '0' });
        started = true;
      }
      bar.update(progress.bytesRead, { rows: progress.rows.toLocaleString('en-US') });
      if (progress.phase === 'merging') {
        stop();
        stream.write(`merging ${progress.rows.toLocaleString('en-US')} rows into the price history…\n`);
      }
    },
    stop,
  };
}

function lineProgress(stream: NodeJS.WriteStream): ProgressReporter {
  let nextLineAt = LINE_EVERY_ROWS;
  return {
    update(progress) {
      if (progress.phase === 'merging') {
        // A small file is merged in a blink; only a long import needs to say what it is doing.
        if (progress.rows >= LINE_EVERY_ROWS)
          stream.write(`merging ${progress.rows.toLocaleString('en-US')} rows into the price history…\n`);
        return;
      }
      if (progress.rows < nextLineAt) return;
      nextLineAt = (Math.floor(progress.rows / LINE_EVERY_ROWS) + 1) * LINE_EVERY_ROWS;
      const percent = progress.totalBytes > 0 ? Math.floor((progress.bytesRead / progress.totalBytes) * 100) : 0;
      stream.write(`read ${progress.rows.toLocaleString('en-US')} rows (${percent} % of the file)\n`);
    },
    stop() {},
  };
}
