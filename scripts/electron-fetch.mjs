// `npm run electron:fetch`: download the Electron binary now (again after a failed try).
import { electronBinary, fetchElectronBinary } from './electron-binary.mjs';

if (electronBinary()) {
  console.log(`The Electron binary is installed: ${electronBinary()}`);
  process.exit(0);
}
console.log('Downloading the Electron binary…');
const r = await fetchElectronBinary();
if (r.ok) console.log(`Done: ${electronBinary()}`);
else console.error(`Could not download the Electron binary: ${r.reason}`);
process.exit(r.ok ? 0 : 1);
