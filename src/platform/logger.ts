import pino from 'pino';

// Logs carry ids and counts only: never names, emails, photos or face descriptors.
// The redact list is a safety net for fields that must never appear even by mistake.
export type Logger = pino.Logger;

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['*.password', '*.email', '*.name', '*.descriptor', '*.token', 'req.headers.cookie', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
