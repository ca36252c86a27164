/**
 * `npm run admin -- create-user --username NAME --role admin|organizer [--password-stdin]`
 * Creates an account directly in DATA_DIR's database (the first administrator is made this way).
 * Without --password-stdin the password is asked for on the terminal, or read from ADMIN_PASSWORD.
 */
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { databaseFile, readConfig } from '../config.ts';
import { openDatabase } from '../db/open.ts';
import { prepareDataDir } from '../data-dir.ts';
import { createUser } from '../services/users.ts';
import { createUserBody } from '../../shared/protocol/api.ts';
import { AppError } from '../../shared/errors.ts';

async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: fromStdin ? undefined : process.stdout, terminal: false });
  if (!fromStdin) process.stdout.write('password (at least 10 characters): ');
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return '';
}

const USAGE = 'usage: npm run admin -- create-user --username NAME [--role admin|organizer|scrutineer] [--password-stdin] [--data-dir DIR]';

function readArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        username: { type: 'string' },
        role: { type: 'string', default: 'organizer' },
        'password-stdin': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // An unknown option or a missing value: say which, and how to call, without a stack trace.
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main() {
  const { positionals, values } = readArgs();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals[0] !== 'create-user' || !values.username) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = readConfig(values['data-dir'] ? { ...process.env, DATA_DIR: values['data-dir'] } : process.env);
  const parsed = createUserBody.safeParse({
    username: values.username,
    role: values.role,
    password: await readPassword(values['password-stdin']),
  });
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
    process.exit(2);
  }
  prepareDataDir(config.dataDir);
  const db = openDatabase(databaseFile(config.dataDir));
  try {
    const user = createUser(db, parsed.data, 'cli', new Date());
    console.log(`created ${user.role} "${user.username}" in ${config.dataDir}`);
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  } finally {
    db.$client.close();
  }
}

await main();
