import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecentProject } from '../shared/types';
import { annotatorNameProblem } from '../shared/names';

const MAX_RECENT = 12;

interface SettingsFile {
  recent: RecentProject[];
  /** Who codes on this machine; every label the UI writes carries it. */
  coder?: string;
}

/** The app's own settings (not a project's): the recent-projects list and this machine's coder. */
export class Settings {
  constructor(private readonly file: string) {}

  static defaultDir(): string {
    if (process.env.AUW_SETTINGS_DIR) return process.env.AUW_SETTINGS_DIR;
    const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config');
    return path.join(base, 'au-workbench');
  }

  private read(): SettingsFile {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<SettingsFile>;
      const recent = Array.isArray(parsed.recent)
        ? parsed.recent.filter((r): r is RecentProject => typeof r?.dir === 'string' && typeof r?.name === 'string')
        : [];
      // A name that is no longer accepted (control characters, from an older version or a hand
      // edit) counts as unset, so the app asks "Who is coding?" again instead of failing every label.
      const name = typeof parsed.coder === 'string' ? parsed.coder.trim().slice(0, 64) : '';
      const coder = annotatorNameProblem(name) ? undefined : name;
      return { recent, ...(coder ? { coder } : {}) };
    } catch {
      return { recent: [] };
    }
  }

  /** Write-then-rename, so a crash mid-write never leaves a truncated settings file. */
  private write(s: SettingsFile): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s, null, 2));
    fs.renameSync(tmp, this.file);
  }

  recent(): RecentProject[] {
    return this.read().recent;
  }

  remember(dir: string, name: string): RecentProject[] {
    const current = this.read();
    const recent = [{ dir, name, openedAt: new Date().toISOString() }, ...current.recent.filter((r) => r.dir !== dir)].slice(0, MAX_RECENT);
    this.write({ ...current, recent });
    return recent;
  }

  forget(dir: string): RecentProject[] {
    const current = this.read();
    const recent = current.recent.filter((r) => r.dir !== dir);
    this.write({ ...current, recent });
    return recent;
  }

  coder(): string | null {
    return this.read().coder ?? null;
  }

  setCoder(name: string): string {
    const coder = name.trim();
    this.write({ ...this.read(), coder });
    return coder;
  }
}
