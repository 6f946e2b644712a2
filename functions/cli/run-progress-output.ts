import type { RunProgress, RunProgressEvent } from '../orchestrator/run-progress.js';
import type { CommandIo } from '../shared/command-line/command-io.js';

/** The task's ID, the last part of its ARN: enough to find it in the console. */
function taskId(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

function describe(event: RunProgressEvent): string {
  switch (event.kind) {
    case 'launched':
      return `${event.target}: probe task ${taskId(event.taskArn)} launched`;
    case 'not-launched':
      return `${event.target}: not launched: ${event.reason}`;
    case 'running':
      return `${event.target}: probe task ${taskId(event.taskArn)} running`;
    case 'stopped':
      return `${event.target}: probe task ${taskId(event.taskArn)} stopped`;
    case 'result':
      return `${event.target}: result read: ${event.outcome}`;
  }
}

/** One line per event on stderr, with the seconds since the run started: the wait for Fargate is tens of seconds. */
export function progressPrinter(io: CommandIo, now: () => number): RunProgress {
  const startedAt = now();
  return (event) => {
    const seconds = Math.max(0, Math.round((now() - startedAt) / 1000));
    io.stderr(`run: ${String(seconds).padStart(4)} s  ${describe(event)}\n`);
  };
}

/** A failed call the run retries, on stderr in the progress lines' format. */
export function retryPrinter(io: CommandIo, now: () => number): (line: string) => void {
  const startedAt = now();
  return (line) => {
    const seconds = Math.max(0, Math.round((now() - startedAt) / 1000));
    io.stderr(`run: ${String(seconds).padStart(4)} s  ${line}\n`);
  };
}
