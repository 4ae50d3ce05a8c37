/**
 * Last line of defence for a long-running process (the browser-mode server, the desktop
 * backend): an error nobody caught is logged and the process stays up, as VS Code's main
 * process does, so one client's bad input can never end every client's session. Every known
 * path handles its own errors; this only keeps an unknown one from being fatal.
 */
export function keepRunningOnUnexpectedErrors(name: string): void {
  process.on('uncaughtException', (err) => console.error(`[${name}] unexpected error (kept running):`, err));
  process.on('unhandledRejection', (reason) => console.error(`[${name}] unhandled rejection (kept running):`, reason));
}
