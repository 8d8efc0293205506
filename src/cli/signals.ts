import type { Logger } from '../config/logger.ts';
import { EXIT } from './errors.ts';

/** Resolves on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilSignal(log: Pick<Logger, 'info' | 'warn'>): Promise<string> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: string): void => {
      if (received) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(EXIT.interrupted);
      }
      received = true;
      log.info({ signal }, 'shutting down: finishing in-flight work');
      resolve(signal);
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}
