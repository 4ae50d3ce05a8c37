// Flips the Electron fuses of an app binary, as Electron's security checklist asks, at
// packaging time (fuses live in the binary, not in code). Usage:
//   node scripts/electron-fuses.mjs <path to the Electron binary or .app> [--packaged]
// --packaged: the app runs from app.asar, so ASAR integrity is checked and nothing but the
// ASAR may be loaded. Without it (a development `electron .`) those two stay off, since they
// would refuse the unpacked app folder.
import { flipFuses, FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';

export function fuseConfig({ packaged }) {
  return {
    version: FuseVersion.V1,
    // Stays ON: job workers (ingest, training) are the Electron binary forked with
    // ELECTRON_RUN_AS_NODE=1 (src/main/worker/launch.ts). Turning it off needs workers started
    // as utilityProcess from the main process instead; until then this fuse must stay on.
    [FuseV1Options.RunAsNode]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: packaged,
    [FuseV1Options.OnlyLoadAppFromAsar]: packaged,
    // The renderer loads from app://, so file:// pages need no extra privileges.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const binary = process.argv[2];
  if (!binary) {
    console.error('usage: node scripts/electron-fuses.mjs <electron binary or .app> [--packaged]');
    process.exit(2);
  }
  const config = fuseConfig({ packaged: process.argv.includes('--packaged') });
  await flipFuses(binary, config);
  const wire = await getCurrentFuseWire(binary);
  console.log(`Fuses of ${binary}:`);
  for (const [k, v] of Object.entries(wire)) console.log(`  ${FuseV1Options[k] ?? k}: ${v}`);
}
