/**
 * Child-process helper for the lock tests: opens the project named on the command line, prints
 * "ready <pid>", and keeps it open until its stdin closes (or it is killed, like a crash).
 * Run with: node --import tsx test/helpers/hold-project.ts <dir>
 */
import { Project } from '../../src/main/services/store/project';

const dir = process.argv[2];
if (!dir) throw new Error('usage: hold-project.ts <project dir>');
const project = Project.open(dir);
process.stdout.write(`ready ${process.pid}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  project.close();
  process.exit(0);
});
