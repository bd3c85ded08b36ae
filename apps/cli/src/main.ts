import { parseArgs } from 'node:util';
import { runBench } from './commands/bench';
import { runDemo } from './commands/demo';
import { DlqUsageError, runDlq } from './commands/dlq';
import { runMigrate } from './commands/migrate';
import { PartitionsUsageError, runPartitions } from './commands/partitions';
import { runApp } from './commands/run-app';
import { runStatus } from './commands/status';
import { runVerify } from './commands/verify';
import { loadCliConfig } from './config';
import { HELP } from './help';

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP['main']);
    return command ? 0 : 2;
  }
  if (!(command in HELP) || command === 'main') {
    console.error(`unknown command ${JSON.stringify(command)}\n\n${HELP['main']}`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    // Only `dlq` and `partitions` take positional arguments (an action and its target); the others refuse them below.
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      accounts: { type: 'string' },
      events: { type: 'string' },
      concurrency: { type: 'string' },
      projectors: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      database: { type: 'string' },
      timeout: { type: 'string' },
      quick: { type: 'boolean' },
      'json-file': { type: 'string' },
      svg: { type: 'string' },
      warmup: { type: 'string' },
      reason: { type: 'string' },
      rates: { type: 'string' },
      duration: { type: 'string' },
      'baseline-concurrency': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  if (command !== 'dlq' && command !== 'partitions' && positionals.length > 0) {
    console.error(`ledgerflow ${command}: unexpected argument ${JSON.stringify(positionals[0])}\n\n${HELP[command]}`);
    return 2;
  }
  const config = loadCliConfig();
  switch (command) {
    case 'migrate':
      return runMigrate(config);
    case 'verify':
      return runVerify(config, { json: Boolean(values.json) });
    case 'status':
      return runStatus(config, { json: Boolean(values.json) });
    case 'dlq':
      return runDlq(config, positionals, { json: Boolean(values.json), ...(values.reason === undefined ? {} : { reason: values.reason }) }).catch((error: unknown) => {
        if (!(error instanceof DlqUsageError)) throw error;
        console.error(`ledgerflow dlq: ${error.message}\n\n${HELP['dlq']}`);
        return 2;
      });
    case 'partitions':
      return runPartitions(config, positionals, { json: Boolean(values.json) }).catch((error: unknown) => {
        if (!(error instanceof PartitionsUsageError)) throw error;
        console.error(`ledgerflow partitions: ${error.message}\n\n${HELP['partitions']}`);
        return 2;
      });
    case 'api':
      return runApp(config, 'api', values.port ? { API_PORT: values.port } : {});
    case 'ingest':
    case 'projector':
      return runApp(config, command, {});
    case 'bench': {
      const quick = Boolean(values.quick);
      const list = (value: string | undefined, fallback: string, name: string) => (value ?? fallback).split(',').map((p) => Math.max(1, int(p, 1, name)));
      const accounts = int(values.accounts, quick ? 300 : 10_000, 'accounts');
      const jsonFile = values['json-file'];
      // The chart goes next to the JSON unless asked elsewhere: X.json → X.svg.
      const svgFile = values.svg ?? jsonFile?.replace(/(\.json)?$/i, '.svg');
      return runBench(config, {
        accounts,
        events: int(values.events, quick ? 10_000 : 200_000, 'events'),
        projectors: list(values.projectors, quick ? '1' : '1,2', 'projectors'),
        database: values.database ?? 'ledgerflow_bench',
        seed: int(values.seed, 42, 'seed'),
        rates: list(values.rates, quick ? '2000,10000' : '2000,20000', 'rates'),
        steadySeconds: Math.max(1, int(values.duration, quick ? 3 : 60, 'duration')),
        warmupSeconds: int(values.warmup, quick ? 1 : 10, 'warmup'),
        baselineConcurrency: list(values['baseline-concurrency'], quick ? '1,10,20' : '1,4,10,20,50', 'baseline-concurrency'),
        sweepEvents: accounts + (quick ? 700 : 20_000),
        ...(jsonFile ? { jsonFile } : {}),
        ...(svgFile ? { svgFile } : {}),
      });
    }
    case 'demo':
      return runDemo(config, {
        accounts: Math.max(2, int(values.accounts, 1000, 'accounts')),
        events: int(values.events, 100_000, 'events'),
        concurrency: Math.max(1, int(values.concurrency, 32, 'concurrency')),
        projectors: Math.max(1, int(values.projectors, 1, 'projectors')),
        port: int(values.port, 3100, 'port'),
        seed: int(values.seed, 42, 'seed'),
        database: values.database ?? 'ledgerflow_demo',
        catchUpTimeoutMs: int(values.timeout, 300, 'timeout') * 1000,
      });
    default:
      console.error(HELP['main']);
      return 2;
  }
}

/** Exits once stdout has drained: output piped to another program must not be cut short. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  console.error(`ledgerflow: ${error instanceof Error ? error.message : String(error)}`);
  exit(1);
});
