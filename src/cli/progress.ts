import { SingleBar } from 'cli-progress';

export interface Progress {
  start(name: string): void;
  /** `fraction` of the work done (0..1), posts stored so far. */
  update(fraction: number, stored: number, name: string): void;
  stop(): void;
}

/** A bar with rate and ETA on a terminal; a plain line every 5 s when output is a pipe or a file. */
export function createProgress(verb: string, interactive: boolean): Progress {
  const bar = new SingleBar({
    format: `${verb} {name} |{bar}| {percentage}% | {stored} stored | {rate} posts/s | ETA {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 20,
  });
  const started = Date.now();
  let lastLine = 0;
  return {
    start: (name) => {
      if (interactive) bar.start(1000, 0, { name, stored: 0, rate: '0.0' });
    },
    update: (fraction, stored, name) => {
      const rate = (stored / Math.max(1, (Date.now() - started) / 1000)).toFixed(1);
      if (interactive) bar.update(Math.round(fraction * 1000), { name, stored, rate });
      else if (Date.now() - lastLine > 5_000) {
        lastLine = Date.now();
        process.stderr.write(`${verb} ${name}: ${(fraction * 100).toFixed(1)}% done, ${stored} stored, ${rate} posts/s\n`);
      }
    },
    stop: () => {
      if (interactive) bar.stop();
    },
  };
}
