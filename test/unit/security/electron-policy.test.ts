/**
 * The desktop shell's security decisions (issue 11 §8), tested without the Electron binary:
 * which files app:// serves, which IPC senders are trusted, which links leave the app, and
 * the fuses the packaging step flips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY, bundleFile, ELECTRON_CSP, externalAllowed, trustedSender } from '../../../src/main/security/electron-policy';
// @ts-expect-error: a plain .mjs build script without type declarations
import { fuseConfig } from '../../../scripts/electron-fuses.mjs';
import { FuseV1Options } from '@electron/fuses';

describe('app:// serves the renderer bundle only', () => {
  const root = path.resolve('/srv/app/out/renderer');
  const exists = (p: string) => p === path.join(root, 'index.html') || p === path.join(root, 'assets', 'a.js');
  it('maps bundle paths to files and client routes to index.html', () => {
    expect(bundleFile(root, APP_ENTRY, exists)).toBe(path.join(root, 'index.html'));
    expect(bundleFile(root, 'app://bundle/assets/a.js', exists)).toBe(path.join(root, 'assets', 'a.js'));
    expect(bundleFile(root, 'app://bundle/project/labels', exists)).toBe(path.join(root, 'index.html'));
  });
  it('refuses other hosts, other schemes, traversal and bad escapes', () => {
    for (const u of ['app://other/index.html', 'file:///etc/passwd', 'app://bundle/..%2f..%2fetc/passwd', 'app://bundle/%E0%A4%A', 'not a url']) {
      expect(bundleFile(root, u, () => true), u).toBeNull();
    }
  });
  it('has a CSP without network connections or inline scripts', () => {
    expect(ELECTRON_CSP).toContain("connect-src 'self'");
    expect(ELECTRON_CSP).not.toMatch(/connect-src[^;]*(ws:|http|\*)/);
    expect(ELECTRON_CSP).toContain("script-src 'self'");
    expect(ELECTRON_CSP).not.toContain('unsafe-eval');
  });
  it('index.html carries no CSP of its own that could loosen the served one', () => {
    expect(fs.readFileSync('src/renderer/index.html', 'utf8')).not.toMatch(/Content-Security-Policy" content=.*ws:/);
  });
});

describe('IPC and external links', () => {
  it('trusts only our main frame', () => {
    expect(trustedSender({ url: APP_ENTRY, isMainFrame: true })).toBe(true);
    expect(trustedSender({ url: 'app://bundle/#/label/3', isMainFrame: true })).toBe(true);
    expect(trustedSender({ url: APP_ENTRY, isMainFrame: false })).toBe(false);
    expect(trustedSender({ url: 'file:///tmp/evil.html', isMainFrame: true })).toBe(false);
    expect(trustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(trustedSender(null)).toBe(false);
  });
  it('opens only allow-listed https links', () => {
    expect(externalAllowed('https://github.com/some/repo')).toBe(true);
    for (const u of ['http://github.com/', 'file:///etc/passwd', 'smb://host/share', 'https://evil.example/', 'https://github.com.evil.example/', 'https://user:pw@github.com/', 'javascript:alert(1)', 'ms-msdt:/id']) {
      expect(externalAllowed(u), u).toBe(false);
    }
  });
});

describe('Electron fuses (flipped at packaging time)', () => {
  it('turns off Node options and inspector flags, turns on cookie encryption, and ASAR integrity when packaged', () => {
    const dev = fuseConfig({ packaged: false });
    const packaged = fuseConfig({ packaged: true });
    expect(dev[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(dev[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(dev[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(dev[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
    expect(dev[FuseV1Options.OnlyLoadAppFromAsar]).toBe(false);
    expect(packaged[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(packaged[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    // Workers are forked as ELECTRON_RUN_AS_NODE; the fuse stays on until they are not.
    expect(dev[FuseV1Options.RunAsNode]).toBe(true);
    expect(fs.readFileSync('src/main/worker/launch.ts', 'utf8')).toContain('ELECTRON_RUN_AS_NODE');
  });
});
