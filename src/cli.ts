#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { boot } from './boot';
import { parseConfig } from './config';
import type { AppContext } from './context';
import { createLogger } from './platform/logger';
import { AppError } from './platform/errors';
import { presentCheck } from './features/checks/checks.presenter';
import { createCipher, newDataKey, parseDataKey } from './platform/secrets';
import { email as emailSchema, password as passwordSchema } from './features/accounts/accounts.schemas';

const HELP = `ShareSafe command line (uses the same DATA_DIR and settings as the server)

  npm run cli -- create-admin --email EMAIL --name NAME [--password-stdin]
      Create a school-office admin. Prints a one-time link to set the password,
      or sets it from standard input with --password-stdin.
  npm run cli -- create-token --email EMAIL --name LABEL
      Create an API token for scripts (shown once).
  npm run cli -- import-csv FILE [--dry-run]
      Import pupils and parents from a school MIS export (all rows or none).
  npm run cli -- rotate-key [--new-key-file FILE]
      Re-encrypt every face template under a new data key (stop the server first).
      With --new-key-file the key is read from FILE (a new one is written there,
      mode 600, if FILE does not exist); then set DATA_KEY_FILE=FILE and restart.
      Without it (only when the key is the generated DATA_DIR/data.key), a new key
      replaces data.key.
  npm run cli -- check PHOTO [--out FILE] [--parent-email EMAIL] [--only-my-child]
      Check a photo file and write the safe copy (default: PHOTO-safe.jpg). Prints the report.
`;

type Command = (ctx: AppContext, args: ReturnType<typeof parse>) => Promise<void>;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' },
      'parent-email': { type: 'string' }, 'password-stdin': { type: 'boolean' },
      'dry-run': { type: 'boolean' }, 'new-key-file': { type: 'string' }, 'only-my-child': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
}

const required = (value: string | undefined, flag: string): string => {
  if (!value) throw new AppError('usage', 2, `Missing --${flag}.\n\n${HELP}`);
  return value;
};

const commands: Record<string, { engine: boolean; run: Command }> = {
  'create-admin': {
    engine: false,
    async run(ctx, a) {
      const email = emailSchema.parse(required(a.values.email, 'email'));
      const { user, invitationUrl } = ctx.accounts.createUserRecord({ email, name: required(a.values.name, 'name'), role: 'admin' }, null);
      if (a.values['password-stdin']) {
        const password = passwordSchema.parse(fs.readFileSync(0, 'utf8').trim());
        await ctx.accounts.setPassword(user.id, password);
        console.log(`Admin ${email} created; sign in at ${ctx.config.publicUrl}/login`);
      } else {
        console.log(`Admin ${email} created. Set the password with this one-time link (14 days):\n${invitationUrl}`);
      }
    },
  },
  'create-token': {
    engine: false,
    async run(ctx, a) {
      const found = ctx.accounts.repo.userByEmail(required(a.values.email, 'email'));
      if (!found) throw new AppError('not_found', 1, 'No account with that email.');
      const t = ctx.accounts.createApiToken(found.user.id, required(a.values.name, 'name'));
      console.log(`API token (shown once; send as "Authorization: Bearer <token>"):\n${t.token}`);
    },
  },
  'import-csv': {
    engine: false,
    async run(ctx, a) {
      const file = a.positionals[1];
      if (!file) throw new AppError('usage', 2, HELP);
      const result = await ctx.register.importCsv(fs.readFileSync(file), { dryRun: a.values['dry-run'] ?? false, actorId: null });
      console.log(JSON.stringify(result, null, 2));
    },
  },
  'rotate-key': {
    engine: false,
    async run(ctx, a) {
      const target = a.values['new-key-file'];
      if (!target && ctx.config.DATA_KEY) {
        throw new AppError('usage', 2, 'DATA_KEY is set, so name where the new key goes: --new-key-file FILE.');
      }
      const file = target ?? path.join(ctx.config.DATA_DIR, 'data.key.next');
      if (!fs.existsSync(file)) fs.writeFileSync(file, `${newDataKey()}\n`, { mode: 0o600, flag: 'wx' });
      const next = createCipher(parseDataKey(fs.readFileSync(file, 'utf8'), file));
      const { count, from, to } = ctx.register.rotateTemplateKey(next, null);
      if (target) {
        console.log(`Re-encrypted ${count} face template(s): key ${from} -> ${to}.\nNow set DATA_KEY_FILE=${path.resolve(file)} (and unset DATA_KEY), then restart ShareSafe.`);
      } else {
        // The templates are committed under the new key: only now may it replace the old one.
        fs.renameSync(file, path.join(ctx.config.DATA_DIR, 'data.key'));
        console.log(`Re-encrypted ${count} face template(s): key ${from} -> ${to}. ${path.join(ctx.config.DATA_DIR, 'data.key')} holds the new key; restart ShareSafe.`);
      }
    },
  },
  check: {
    engine: true,
    async run(ctx, a) {
      const file = a.positionals[1];
      if (!file) throw new AppError('usage', 2, HELP);
      const parentEmail = a.values['parent-email'];
      const parent = parentEmail ? ctx.accounts.repo.userByEmail(parentEmail)?.user : undefined;
      if (parentEmail && !parent) throw new AppError('not_found', 1, 'No account with that email.');
      // Without a parent, the check runs as the office: nobody counts as "own child".
      const userId = parent?.id ?? 0;
      const record = await ctx.checks.check(userId, [{ buffer: fs.readFileSync(file) }], { mode: a.values['only-my-child'] ? 'only_my_child' : 'standard' });
      const out = a.values.out ?? path.join(path.dirname(file), `${path.parse(file).name}-safe.jpg`);
      fs.copyFileSync(ctx.checks.safeCopyPath(userId, record.id, 0).path, out);
      ctx.checks.remove(userId, record.id);
      // A parent gets the parent's view only; the office (no --parent-email) also gets the
      // aggregate counts per photo, never per face.
      const { zipUrl: _zip, ...report } = presentCheck(record);
      // The check is removed below, so its download links would lead nowhere.
      const photos = report.photos.map((p, i) => {
        if (!p.ok) return p;
        const { safeCopyUrl: _url, ...shown } = p;
        const stored = record.photos[i]!;
        return parent || !stored.ok ? shown : { ...shown, officeCounts: stored.counts };
      });
      console.log(JSON.stringify({ safeCopy: out, ...report, photos }, null, 2));
    },
  },
};

async function main() {
  const args = parse(process.argv.slice(2));
  const command = commands[args.positionals[0] ?? ''];
  if (!command || args.values.help) {
    console.log(HELP);
    process.exit(command || args.values.help ? 0 : 2);
  }
  const config = parseConfig(process.env);
  const ctx = await boot(config, createLogger(process.env.LOG_LEVEL ?? 'warn'), { engine: command.engine });
  try {
    await command.run(ctx, args);
    // Ids and flags only: never an e-mail address, a name or a file name.
    ctx.audit.record('cli.command', { details: { command: args.positionals[0]!, dryRun: args.values['dry-run'] ?? false } });
  } finally {
    await ctx.engine.close();
    ctx.db.close();
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`Error: ${message}`);
  process.exit(err instanceof AppError && err.status < 10 ? err.status : 1);
});
