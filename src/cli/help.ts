/** `--help` texts. */
import type { Command } from "./options.js";

const RUN_OPTIONS = `Options:
  --agent-latency <ms|min-max>  how long the agent takes per batch of completions (default 20-60)
  --task-duration <ms|min-max>  how long each task runs (default 10-50)
  --seed <n>                    seed of durations and latencies, 0..4294967295 (default 42)
  --timeout <ms>                the synchronizer's modification timeout (default 600000)
  --json                        print { withoutGate?, withGate?, scoped? } SimulationReports as JSON
  --timeline <file.html|.svg>   also write a timeline of the run(s)
  -h, --help                    show this help`;

export const HELP: Readonly<Record<Command | "main", string>> = {
  main: `Usage: orion-sync <command> [options]

Simulates a task orchestration with an LLM agent that edits the orion, in virtual time,
without and with orion-sync's gate, and compares them.

Commands:
  demo               run the built-in example orion without and with the gate
  simulate <file>    run an orion file (orion-sync JSON or UFO constellation JSON)

  help [command]     show this help, or a command's

Options:
  -h, --help         show help (also: orion-sync <command> --help)
  -v, --version      print the version

Errors print one line on stderr and exit with code 2. Progress goes to stderr: a live line
on a terminal, else a line every 10 s (ORION_SYNC_PROGRESS_MS sets the interval).`,
  demo: `Usage: orion-sync demo [options]

Runs the built-in 10-task orion three times in virtual time, with the same seed: without
the gate, with the whole-orion gate, and scoped (only the tasks a pending modification may
change wait). The agent answers every completion by marking the completed task's dependents;
after clean_customers completes, it also changes segment's params, inserts dedupe_customers
and makes join wait for it. It declares at once which tasks it may change (ORION_MODIFYING).
A task that starts before the agent has answered the completion of one of its predecessors
starts stale. Prints tasks started stale, scope violations, makespan, when the last task
ended and when the agent's last answer came, time held, modifications and timeouts, side by
side, then which tasks started stale.

${RUN_OPTIONS}
  --scope <downstream|declared> the scoped run's scopes (default declared)
  --no-gate                     only the run without the gate`,
  simulate: `Usage: orion-sync simulate <file.json> [options]

Runs the orion in <file.json> (orion-sync's orion JSON, or UFO's TaskConstellation JSON:
detected by its constellation_id) in virtual time, without and with the gate, and compares
them. The orion must pass validateOrion. The agent marks each task's dependents on every
completion; a task that starts without the mark of one of its predecessors is stale.

${RUN_OPTIONS}
  --scope <downstream|declared> also a scoped run: a modification holds the completed task's
                                descendants (downstream), or the tasks the agent declares,
                                its dependents (declared)
  --no-gate                     only the run without the gate`,
};
