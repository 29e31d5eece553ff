import type { Logger } from './logger';

/** After an unhandled rejection or exception the process is in an unknown state (a half-written
 *  result, a lock never released): log it and exit non-zero, so the supervisor (systemd, Docker's
 *  restart policy) starts a clean one, instead of carrying on. */
export function installProcessGuard(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  const die = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, `${kind}; exiting so the supervisor restarts the service`);
    logger.flush?.();
    exit(1);
  };
  process.on('unhandledRejection', die('unhandled promise rejection'));
  process.on('uncaughtException', die('uncaught exception'));
}
