import { spawn } from 'node:child_process';

/** The child process running now, so an interrupted script can stop it. */
export const running = { child: undefined };

/** Runs a command with inherited stdio; resolves to its exit code (128 when killed by a signal). */
export function runChild(command, args, { cwd, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit', env });
    running.child = child;
    child.on('error', (error) => {
      console.error(error);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      running.child = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
