import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from './logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Resolves with the SMTP message id; rejects with the transport's error (err.responseCode for SMTP). */
  send(message: MailMessage): Promise<{ messageId: string }>;
  readonly describe: string;
}

/** SMTP when SMTP_URL is set; otherwise messages are written as .eml files to a folder. */
export function createMailer(opts: { smtpUrl?: string; from: string; outboxDir: string; logger: Logger }): Mailer {
  if (opts.smtpUrl) {
    const transport = nodemailer.createTransport(opts.smtpUrl);
    return {
      describe: 'smtp',
      async send(m) {
        const info = await transport.sendMail({ from: opts.from, ...m });
        return { messageId: info.messageId };
      },
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  fs.mkdirSync(opts.outboxDir, { recursive: true });
  return {
    describe: `folder ${opts.outboxDir}`,
    async send(m) {
      const info = await transport.sendMail({ from: opts.from, ...m });
      const file = path.join(opts.outboxDir, `${Date.now()}-${info.messageId.replace(/[^a-zA-Z0-9.@-]/g, '')}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      return { messageId: info.messageId };
    },
  };
}
