import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../shared/errors';
import type { EventBus } from './events';
import type { Platform } from './platform';
import { JobManager, type Runners } from './services/jobs/manager';
import { JOB_KINDS, type JobKinds } from './services/jobs/kinds';
import { DEFAULT_DETECT_EVERY } from '../shared/settings/ingest';
import { Project, type CreateOptions } from './services/store/project';
import { realish } from './services/files/real-path';
import { failStrandedImports } from './services/store/videos';
import { failDamagedCrops } from './services/media/cropCheck';
import { sourceStates } from './services/media/sourceCheck';
import type { Settings } from './settings';

/**
 * The services behind the API, independent of any transport: the open project (one at a
 * time), its job manager, the app settings and the shell's platform.
 */
export class Workbench {
  private current: { project: Project; jobs: JobManager } | null = null;

  constructor(
    readonly platform: Platform,
    readonly settings: Settings,
    readonly events: EventBus,
    private readonly runners: Runners<JobKinds>,
    /** Where `npm run demo:data` writes the demo videos (manifest.json and mp4s). */
    readonly demoDir: string | null = null,
  ) {}

  demoStatus(): { available: boolean; reason: string | null } {
    if (!this.demoDir) return { available: false, reason: 'This build has no demo data folder.' };
    if (!fs.existsSync(path.join(this.demoDir, 'manifest.json'))) {
      return { available: false, reason: 'The demo videos have not been generated yet: run `npm run demo:data` (about a minute), then reload.' };
    }
    return { available: true, reason: null };
  }

  /**
   * Opens the demo project, creating it on first use next to the demo videos and queueing
   * their import, so a first-time user lands in a project that fills itself.
   */
  async openDemo(): Promise<Project> {
    const status = this.demoStatus();
    if (!status.available || !this.demoDir) throw new ApiError('unavailable', status.reason ?? 'No demo data.');
    const dir = path.join(this.demoDir, 'project');
    if (fs.existsSync(path.join(dir, 'project.sqlite'))) return this.open(dir);
    const manifest = JSON.parse(fs.readFileSync(path.join(this.demoDir, 'manifest.json'), 'utf8')) as {
      videos: { file: string; subjectId?: string }[];
    };
    const project = await this.create(dir, { name: 'Demo: synthetic faces', auSet: { preset: 'disfa' } });
    for (const v of manifest.videos) {
      this.requireJobs().add('import', { path: path.join(this.demoDir, v.file), alreadyAligned: false, detectEvery: DEFAULT_DETECT_EVERY, subject: v.subjectId ?? null });
    }
    return project;
  }

  get project(): Project | null {
    return this.current?.project ?? null;
  }

  requireProject(): Project {
    if (!this.current) throw new ApiError('no_project', 'No project is open. Create or open a project first.');
    return this.current.project;
  }

  requireJobs(): JobManager {
    if (!this.current) throw new ApiError('no_project', 'No project is open. Create or open a project first.');
    return this.current.jobs;
  }

  /**
   * The new project is made (or opened) first and the current one closed only once that
   * worked, so a failed create or open (not a project, locked, bad path) leaves the open
   * project open and its jobs running.
   */
  async create(dir: string, options: CreateOptions): Promise<Project> {
    return this.switchTo(Project.create(dir, options));
  }

  async open(dir: string): Promise<Project> {
    if (this.current && this.current.project.dir === realish(dir)) return this.current.project;
    return this.switchTo(Project.open(dir));
  }

  private async switchTo(project: Project): Promise<Project> {
    let jobs: JobManager;
    try {
      // What a crash left behind: running jobs become interrupted, stranded imports failed (Retry import).
      jobs = new JobManager(project, this.events, JOB_KINDS, this.runners);
      jobs.recover();
      failStrandedImports(project.db);
      // Crop files cut short or not this video's own: marked for Retry import, never served.
      failDamagedCrops(project.db, project.dir, { missingToo: false });
      // Source files replaced or gone since their import are found now (and their times recorded), not when served.
      // (A moved file is common and the list says so; a replaced one is worth a line in the log.)
      for (const [id, s] of sourceStates(project.db)) if (s.state === 'changed') console.warn(`[sources] video ${id}: ${s.message}`);
    } catch (err) {
      project.close();
      throw err;
    }
    await this.close();
    this.current = { project, jobs };
    jobs.start();
    try {
      this.settings.remember(project.dir, project.summary().name);
    } catch (err) {
      // The recent list is a convenience; a full or read-only settings disk must not fail the open.
      console.warn(`[settings] could not remember ${project.dir}: ${(err as Error).message}`);
    }
    this.events.emit('data/changed', { domain: 'project' });
    return project;
  }

  /**
   * What a first launch opens: nothing when the user has projects (they choose), otherwise the
   * demo project, so `npm start` on a new machine lands somewhere useful.
   */
  async openStartupProject(): Promise<void> {
    if (this.current || this.settings.recent().length) return;
    if (this.demoStatus().available) await this.openDemo();
  }

  async close(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = null;
    await current.jobs.shutdown();
    current.project.close();
    this.events.emit('data/changed', { domain: 'project' });
  }
}
