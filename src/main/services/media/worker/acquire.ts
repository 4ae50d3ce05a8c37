/**
 * Which detection the pipeline's detect stage asks for on a grid frame: the whole frame at the
 * detector's input (the default), nothing (the tracker looks around a small tracked face itself),
 * or, while no face is followed, an acquisition scan that also finds small faces, at a bounded rate.
 */
import type { DetectMode, FaceDetection, FaceTracker } from './faces';

/** Scans in a row that found nothing before the scan rate drops. */
export const EMPTY_SCANS_BEFORE_BACKOFF = 3;
/** Then at most one scan per this many frames (≈ 1 s at 25–30 fps): a video without faces stays fast. */
export const SCAN_EVERY_WHEN_EMPTY = 30;
/**
 * Frames shrunk less than this by the detector's input see faces at nearly full resolution (the
 * 256-px demo, the 320-px clips): a scan would only add faces of < 35 px in them, so none is run.
 */
const SCAN_MIN_SHRINK = 1.5;

export class AcquirePolicy {
  private inFlight = false;
  private empty = 0;
  private lastScan = -Infinity;

  constructor(
    /** Read when a request is made: ahead of the tracker, so its state is a little stale. */
    private readonly tracker: Pick<FaceTracker, 'focus' | 'detectsOnRegion'>,
    private readonly detectorInputSize: number,
    /** false: never scan (whole-frame detection at the detector's input only). */
    private readonly scans = true,
  ) {}

  /** The mode for grid frame `index`, or null when the tracker detects on its own region there. */
  mode(index: number, width: number, height: number): DetectMode | null {
    if (this.tracker.focus) return this.tracker.detectsOnRegion(width, height) ? null : 'full';
    if (!this.scans) return 'full';
    if (Math.max(width, height) < SCAN_MIN_SHRINK * this.detectorInputSize) return 'full';
    // One scan at a time: at acquisition the read-ahead would otherwise queue a scan on every grid frame.
    if (this.inFlight) return 'full';
    if (this.empty >= EMPTY_SCANS_BEFORE_BACKOFF && index - this.lastScan < SCAN_EVERY_WHEN_EMPTY) return 'full';
    this.lastScan = index;
    return 'scan';
  }

  /** Follows a scan's answer: scans that keep finding nothing slow down. */
  scanned(result: Promise<FaceDetection[]>): void {
    this.inFlight = true;
    result.then(
      (dets) => {
        this.inFlight = false;
        this.empty = dets.length ? 0 : this.empty + 1;
      },
      () => {
        this.inFlight = false;
      },
    );
  }
}
