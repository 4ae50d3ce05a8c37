import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecentProject } from '../shared/types';

const MAX_RECENT = 12;

interface SettingsFile {
  recent: RecentProject[];
}

/** The app's own settings (not a project's): the recent-projects list. */
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
      return { recent };
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
    const recent = [{ dir, name, openedAt: new Date().toISOString() }, ...this.read().recent.filter((r) => r.dir !== dir)].slice(0, MAX_RECENT);
    this.write({ recent });
    return recent;
  }

  forget(dir: string): RecentProject[] {
    const recent = this.read().recent.filter((r) => r.dir !== dir);
    this.write({ recent });
    return recent;
  }
}
