import { execFile } from 'node:child_process';

/** Runs a short command to completion and returns its stdout; the error carries its stderr. */
export function runCommand(command: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const how = error.killed ? `timed out after ${timeoutMs} ms` : `exit code ${error.code}`;
        const output = `${stderr}${stdout}`.trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${command} ${args.join(' ')} failed (${how})\n${output}`));
      } else {
        resolve(stdout);
      }
    });
  });
}
