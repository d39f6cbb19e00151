/**
 * Progress of long steps (core install, compile, upload) on stderr: a live
 * spinner on a TTY, one plain line per step otherwise (CI logs, pipes), so
 * stdout stays free for the result (and for --json).
 */
import { createSpinner, type Spinner } from 'nanospinner';
import type { ProgressSink } from '../lib/flash.js';
import { color } from './format.js';

/** `close()` stops a spinner a failed step left running (its timer would keep the process alive). */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink & { close(): void } {
  // nanospinner animates only when stdout is a terminal too (it checks fd 1); match it so the two never disagree.
  // A terminal that reports 0 columns (a pty without a size) would make its line count infinite.
  if (stream.isTTY && process.stdout.isTTY && (stream.columns ?? 0) > 0 && process.env.TERM !== 'dumb' && !('CI' in process.env)) {
    let spinner: Spinner | null = null;
    return {
      start(step) {
        spinner?.stop();
        spinner = createSpinner(`${step}…`, { stream }).start();
      },
      done(detail) {
        spinner?.success({ text: detail });
        spinner = null;
      },
      fail(detail) {
        spinner?.error({ text: detail });
        spinner = null;
      },
      close() {
        spinner?.stop();
        spinner = null;
      },
    };
  }
  return {
    start(step) {
      stream.write(`- ${step}...\n`);
    },
    done(detail) {
      stream.write(`${color.green('✓')} ${detail}\n`);
    },
    fail(detail) {
      stream.write(`${color.red('✗')} ${detail}\n`);
    },
    close() {},
  };
}
