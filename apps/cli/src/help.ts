/** Help texts, one per command; `ledgerflow <command> --help` prints them. */
export const HELP: Record<string, string> = {
  main: `ledgerflow — keeps the read models of an event-sourced bank exactly in step with its ledger

Usage: ledgerflow <command> [options]

Commands:
  demo        run the whole pipeline on a fresh database with a live view, then verify
  bench       Ledgerflow catch-up and steady-state lag vs a naive baseline and the sink ceiling
  migrate     create the database if needed and apply the schema migrations
  verify      diff the read models with a fold of the event store (exit 1 on any mismatch)
  status      partitions (owner, checkpoint, queue depth, lag), projector members, slots
  partitions  the partition count the database records; 'partitions set N' on a drained pipeline
  dlq         parked accounts (events the projector must refuse): list, show, redrive, skip
  api         run the banking HTTP API
  ingest      run the CDC ingest (logical replication → BullMQ)
  projector   run a projector worker

Environment: DATABASE_URL (postgres://postgres@127.0.0.1:5432/ledgerflow), REDIS_URL
(redis://127.0.0.1:6379), LEDGERFLOW_PARTITIONS (the database's; 16 for a new one), LEDGERFLOW_REDIS_PREFIX
(ledgerflow-<database>), LEDGERFLOW_SLOT (ledgerflow_<database>), LOG_LEVEL (info).
Run 'ledgerflow <command> --help' for a command's options.`,
  demo: `Usage: ledgerflow demo [options]

Creates (or re-creates) its own database, starts api, ingest and projector processes, drives a
Zipf-skewed banking workload through the HTTP API with a live view (events/s, backlog, queue
depth, freshness lag), waits for the read models to catch up and verifies them. Exits 0 only
when verification finds 0 mismatches.

Options:
  --accounts N      accounts to create (default 1000)
  --events M        events to append in total, account creations included (default 100000)
  --concurrency C   commands in flight (default 32)
  --projectors K    projector processes (default 1)
  --port P          API port (default 3100; 0 picks a free one)
  --seed S          workload seed (default 42)
  --database NAME   database to (re)create on the DATABASE_URL server (default ledgerflow_demo)
  --timeout SEC     how long to wait for the read models to catch up (default 300)`,
  bench: `Usage: ledgerflow bench [options]

One run, one seeded Zipf-skewed ledger (re-created database), four measurements:
  1. Ledgerflow catch-up: ingest + projectors project the whole store from scratch, once per
     projector count, timed from the first to the last projected event; verified after each.
  2. naive baseline, the architecture Ledgerflow replaces: one BullMQ job and one transaction
     (UPDATE account + INSERT transaction row) per event; a sweep over worker concurrencies on
     a prefix of the events, then the winner on all of them. Its queue is filled before the
     clock starts (in its favour).
  3. sink ceiling: the same read-model rows, folded in 1000-event batches beforehand, written
     straight with unnest upserts on 2 connections (no CDC, no Redis).
  4. Ledgerflow steady state on a fresh store, on each projector count: an appender commits
     events at each fixed rate; every event's lag = first poll (every 5 ms) seeing its
     partition's checkpoint at or past its position − the time its INSERT returned (errs high
     by up to the poll interval).
     Verified after each rate. The events committed in the first --warmup seconds are reported
     apart (the pipeline is still starting); lag p50…max is over the events committed after.
Each timed run starts with a CHECKPOINT (when the role may): no run pays for the previous
one's writes. Prints a table; a Ledgerflow run that does not verify makes the command refuse
its figures (exit 1). Peak RSS is each process's VmHWM (/proc), highest over the runs. On a
VM, the CPU time the host stole during each Ledgerflow run (/proc/stat) is printed, with a
warning above 5%: lag figures from such a run say as much about the host as about Ledgerflow.
Under each steady-state rate: each pipeline process's CPU (% of a core), which compares across
runs and days better than lag does, and its garbage-collection pauses over the run (read from
its /metrics: count, total, how many over 10 ms, the bucket of the longest).

Options:
  --events M                  events to seed (default 200000; 10000 with --quick)
  --accounts N                accounts (default 10000; 300 with --quick)
  --projectors LIST           projector process counts (default 1,2; 1 with --quick): the
                              catch-up and the steady state run once per count (on a small
                              machine a second process may catch up faster yet add lag)
  --rates LIST                steady-state append rates, events/s (default 2000,20000;
                              2000,10000 with --quick)
  --duration SEC              seconds per steady-state rate (default 60; 3 with --quick)
  --warmup SEC                first seconds of each steady-state rate reported apart as
                              warm-up (default 10; 1 with --quick): start-up backlog
                              (JIT, pools) drains within it on this machine
  --baseline-concurrency LIST naive worker concurrencies to sweep (default 1,4,10,20,50;
                              1,10,20 with --quick); a winner at the end of the list is
                              flagged: widen the sweep
  --database NAME             database to (re)create (default ledgerflow_bench; the steady
                              state uses NAME_steady)
  --seed S                    generator seed (default 42)
  --json-file FILE            also write the results as JSON (catchup, steady, baseline,
                              ceiling, ratios, peak_rss_bytes, machine, each run's cpu
                              busy/steal percent and, per steady rate, each pipeline
                              process's CPU; throughput and lag series in summary)
  --svg FILE                  also write an SVG chart: catch-up throughput over time against
                              the naive baseline and the sink ceiling, steady-state lag per
                              second against the goals (default with --json-file X.json: X.svg)
  --quick                     a small run (under a minute)`,
  migrate: `Usage: ledgerflow migrate

Creates the DATABASE_URL database if it does not exist and applies pending migrations.`,
  verify: `Usage: ledgerflow verify [--json]

Recomputes every account from the events table (in SQL, independently of the projector) and
diffs balance, status, version, last position, owner and every transaction row with the read
models. Prints counts; exits 1 on any mismatch. Accounts holding an event the projector must
refuse (parked, see 'ledgerflow dlq') count as mismatches until redriven; events skipped with
'ledgerflow dlq skip' are no-ops that count toward the version, reported but not mismatches.`,
  status: `Usage: ledgerflow status [--json]

Prints each partition's owner (the projector member holding its lock), checkpoint position,
events applied, queue depth and lag (age of its oldest unfinished job); each projector's
heartbeat and partitions; and the replication slots with their retained WAL.`,
  partitions: `Usage: ledgerflow partitions [set N] [--json]

The partition count is a property of the database: the first ingest or projector to start
records its count there (LEDGERFLOW_PARTITIONS, or 16); a later one without LEDGERFLOW_PARTITIONS
follows the recorded count, and one set to another count refuses to start
(PARTITION_COUNT_MISMATCH): processes that disagree would route an account's events to a queue
nobody reads, or split them over two queues applied out of order.

  partitions          print the recorded count (and this shell's LEDGERFLOW_PARTITIONS)
  partitions set N    record N (1 to 1024) instead. Refused (exit 1, with the reasons) unless
                      the pipeline is drained: ingest stopped (its slot not in use), no
                      projector running or heartbeating in the last 60 s, every partition queue
                      empty (no waiting, active or delayed job; failed jobs, never processed
                      again, do not count), no parked account.
                      To drain: stop ingest, let the projectors empty the queues ('ledgerflow
                      status'), stop them; then set N and start everything again (with
                      LEDGERFLOW_PARTITIONS=N or unset). Events committed meanwhile wait in
                      the slot. On a new database, 'set N' before the first start chooses
                      the count.

Options:
  --json    machine-readable output`,
  dlq: `Usage: ledgerflow dlq <action> [arguments] [options]

An event the projector cannot apply (corrupt data, unknown type, a rule violation, a version
missing from the event store) parks its account: the event and every later event of the
account are held in the dead-letter store, the account's read-model row is marked stale, and
every other account flows on.

Actions:
  list                        parked accounts: code, failed version, held events, failed redrives
  show <account-id>           the account's failed and held events with their codes, and its skips
                              (exit 1 if the account is not parked)
  redrive <account-id>        re-read the account's events from the event store (fix the data
                              there first, or deploy the code fix) and apply them; exit 0 when
                              the account is unparked, 1 when an event still fails (printed)
  skip <event-id> --reason R  apply an event of a parked account as a no-op (its version counts,
                              nothing else); recorded with the reason; then redrive the account.
                              The account's first event cannot be skipped: correct it instead.

Options:
  --json        machine-readable output (list, show, redrive, skip)
  --reason R    why the event is skipped (skip only; required)

Safe while projectors run: a redrive locks the parked account, and batches of that account
wait for it (or it waits for them).`,
  api: `Usage: ledgerflow api [--port P]

Runs the banking HTTP API (API_PORT, default 3000; API_HOST, default 127.0.0.1).`,
  ingest: `Usage: ledgerflow ingest

Runs the CDC ingest: logical replication slot → partitioned BullMQ queues.`,
  projector: `Usage: ledgerflow projector

Runs a projector worker: partition queues → read models (one transaction per batch).`,
};
