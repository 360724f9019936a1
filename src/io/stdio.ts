// Standard output and error without Node's stream objects. Creating process.stdout or
// process.stderr loads the whole stream stack (and net.Socket for a pipe): a tenth of a one-file
// run's start-up. A write here is one write(2), as Node's stdout already is on Linux for pipes,
// files and terminals, so the order between the two descriptors is unchanged.
import { fstatSync, statSync, writeSync } from 'node:fs';

/** The two descriptors this module writes to. */
export type OutputFd = 1 | 2;

const streamOf = (fd: OutputFd) => (fd === 1 ? process.stdout : process.stderr);
/** Descriptors written through Node's streams from now on (their writes may still be queued). */
const handedToStream = new Set<OutputFd>();
/**
 * Descriptors whose reader has gone (EPIPE, as after `| head`): what would go there is dropped
 * and the run goes on, so a `--write` is not cut off half-way and the exit status stays the run's.
 */
const readerGone = new Set<OutputFd>();

const isBrokenPipe = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === 'EPIPE';

/**
 * Writes all of `text` to `fd`. A descriptor that cannot take it at once (non-blocking and
 * full: EAGAIN, or a partial write) or fails otherwise is handed to Node's stream for the
 * rest of the run, which waits, buffers and reports errors as it always has; everything after
 * goes there too, so the bytes stay in order.
 */
export function writeOutput(fd: OutputFd, text: string): void {
  if (readerGone.has(fd)) return;
  if (handedToStream.has(fd)) {
    streamOf(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    written = writeSync(fd, bytes);
  } catch (error) {
    if (isBrokenPipe(error)) {
      readerGone.add(fd);
      return;
    }
    // Left to the stream below, which retries or reports the error as Node does.
  }
  if (written === bytes.length) return;
  handToStream(fd).write(bytes.subarray(written));
}

/** Standard error as Node's stream, for what needs one (readline); writeOutput follows it from now on, so the order stays. */
export function stderrStream(): NodeJS.WriteStream {
  return handToStream(2);
}

function handToStream(fd: OutputFd): NodeJS.WriteStream {
  const stream = streamOf(fd);
  if (!handedToStream.has(fd)) {
    handedToStream.add(fd);
    // Without a listener, a reader that goes away would end the run with Node's stack trace.
    stream.on('error', (error) => {
      if (!isBrokenPipe(error)) throw error;
      readerGone.add(fd);
    });
  }
  return stream;
}

/**
 * Ends the process with `code`: at once when everything printed went out through writeOutput's
 * system calls (Node's own exit first tears the heap down: ~3% of a one-file run), else when
 * Node's streams have written what they hold, as a process ends on its own.
 */
export function exitWhenWritten(code: number): void {
  if (handedToStream.size > 0) process.exitCode = code;
  else process.exit(code);
}

/**
 * Whether `fd` is a terminal, as `process.stdout.isTTY` says, without creating the stream. Only
 * a character device can be one: the tty module (which loads net) is loaded only to ask about one.
 */
export async function isTerminal(fd: 0 | OutputFd): Promise<boolean> {
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    // `> /dev/null` is the common character device that is no terminal: a single stat says so.
    if (stat.rdev === statSync('/dev/null', { throwIfNoEntry: false })?.rdev) return false;
  } catch {
    // A closed descriptor is no terminal.
    return false;
  }
  const { isatty } = await import('node:tty');
  return isatty(fd);
}
